package dev.pactum.bench;

import org.HdrHistogram.Histogram;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs one unit of work in a closed loop from {@code concurrency} virtual threads for a fixed time, and records
 * each unit's latency. A unit that throws counts as an error, not as throughput.
 */
final class LoadRun {
    /** One unit of work, e.g. one global transaction. */
    @FunctionalInterface
    interface Unit {
        void run() throws Exception;
    }

    record Result(long ok, long errors, double seconds, Histogram latencyMicros, String firstError) {
        double perSecond() {
            return ok / seconds;
        }

        double p50Ms() {
            return latencyMicros.getValueAtPercentile(50) / 1000.0;
        }

        double p99Ms() {
            return latencyMicros.getValueAtPercentile(99) / 1000.0;
        }
    }

    private LoadRun() {
    }

    static Result run(Unit unit, int concurrency, Duration duration) throws Exception {
        long end = System.nanoTime() + duration.toNanos();
        AtomicLong errors = new AtomicLong();
        String[] firstError = new String[1];
        List<Future<Histogram>> parts = new ArrayList<>();
        long start = System.nanoTime();
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < concurrency; i++) {
                parts.add(ex.submit(() -> {
                    Histogram h = new Histogram(60_000_000L, 3);
                    while (System.nanoTime() < end) {
                        long t0 = System.nanoTime();
                        try {
                            unit.run();
                            h.recordValue(Math.max(1, (System.nanoTime() - t0) / 1000));
                        } catch (Exception e) {
                            if (errors.getAndIncrement() == 0) {
                                firstError[0] = e.toString();
                            }
                        }
                    }
                    return h;
                }));
            }
            Histogram all = new Histogram(60_000_000L, 3);
            for (Future<Histogram> f : parts) {
                all.add(f.get());
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            return new Result(all.getTotalCount(), errors.get(), seconds, all, firstError[0]);
        }
    }
}
