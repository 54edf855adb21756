package dev.pactum.core.recovery;

import dev.pactum.core.CoordinatorConfig;
import dev.pactum.core.CoordinatorMetrics;
import dev.pactum.core.TransactionDriver;
import dev.pactum.core.model.GlobalTransaction;
import dev.pactum.core.spi.TransactionStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Finds work nobody is doing: phase-2 retries that are due, transactions whose driver died with the lease
 * (a crash, a kill -9), and ACTIVE transactions past their timeout. It claims them by lease in the store, so
 * two coordinators sharing a database never drive the same transaction at once, and drives each.
 *
 * <p>{@link #runOnce()} is one pass, for tests; {@link #start()} loops on a daemon thread.
 */
public final class RecoveryWorker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RecoveryWorker.class);

    private final TransactionStore store;
    private final TransactionDriver driver;
    private final CoordinatorConfig config;
    private final Clock clock;
    private final CoordinatorMetrics metrics;
    private final ExecutorService executor;
    private volatile boolean running;
    private Thread thread;

    public RecoveryWorker(TransactionStore store, TransactionDriver driver, CoordinatorConfig config, Clock clock,
                          CoordinatorMetrics metrics) {
        this(store, driver, config, clock, metrics, Executors.newVirtualThreadPerTaskExecutor());
    }

    /**
     * With the executor that drives the claimed transactions of a pass in parallel (one virtual thread each by
     * default); the deterministic simulation passes one that runs each on the calling thread. Shut down by
     * {@link #close}.
     */
    public RecoveryWorker(TransactionStore store, TransactionDriver driver, CoordinatorConfig config, Clock clock,
                          CoordinatorMetrics metrics, ExecutorService executor) {
        this.executor = executor;
        this.store = store;
        this.driver = driver;
        this.config = config;
        this.clock = clock;
        this.metrics = metrics;
    }

    /**
     * Claims one batch of due transactions and drives those this process is not driving already; returns how many
     * it drove, so the loop pauses when a pass only found transactions that are in flight here.
     */
    public int runOnce() {
        Instant now = clock.instant();
        List<GlobalTransaction> due = store.claimDue(config.nodeId(), now, now.plus(config.lease()),
                config.workerBatch());
        if (due.isEmpty()) {
            return 0;
        }
        metrics.claimed(due.size());
        List<Future<?>> running = new ArrayList<>(due.size());
        for (GlobalTransaction tx : due) {
            if (!driver.isInFlight(tx.gid())) {
                running.add(executor.submit(() -> driver.driveNow(tx)));
            }
        }
        for (Future<?> f : running) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException e) {
                log.error("recovery of a transaction failed", e.getCause());
            }
        }
        return running.size();
    }

    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        thread = Thread.ofPlatform().daemon().name("pactum-recovery").start(this::loop);
    }

    private void loop() {
        while (running) {
            try {
                if (runOnce() == 0) {
                    Thread.sleep(config.workerInterval().toMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.error("recovery pass failed; trying again in {}", config.workerInterval(), e);
                try {
                    Thread.sleep(config.workerInterval().toMillis());
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    @Override
    public synchronized void close() {
        running = false;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        executor.shutdownNow();
    }
}
