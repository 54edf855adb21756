package dev.pactum.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.SynchronizedHistogram;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The messages of one measured phase: when each sender's call was answered and when the consumer received the
 * message, matched by message id. A message counts as delivered once it was both sent (the sender's call answered:
 * the submit, the publish confirm, RocketMQ's send) and received; its latency is the time from the answer to the
 * receipt, 0 when the receipt came first (a coordinator may deliver before its answer to the submit has reached
 * the producer's thread). A second latency runs from the start of the send call to the receipt: what a caller
 * waits, all told, until the consumer has the message, comparable across the sides whatever their answer means.
 *
 * <p>A second receipt of an id this phase sent is a duplicate (at-least-once delivery), counted, never a second
 * delivery. A receipt of an id this phase never sent (a late message of an earlier phase, or its redelivery) is a
 * stray and counts for nothing.
 * Both clocks are this JVM's {@link System#nanoTime()}: the producers and the consumer run here, the coordinator
 * and the broker elsewhere.
 */
final class MsgArrivals {
    private static final long UNSET = Long.MIN_VALUE;

    /** When the send started, when it was answered, and when the first receipt came; UNSET until then. */
    private record Timing(long startNanos, long sentNanos, long receivedNanos) {
    }

    private final ConcurrentHashMap<String, Timing> byId = new ConcurrentHashMap<>();
    private final Histogram latencyMicros = new SynchronizedHistogram(60_000_000L, 3);
    private final Histogram fromStartMicros = new SynchronizedHistogram(60_000_000L, 3);
    private final LongAdder sent = new LongAdder();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder duplicates = new LongAdder();

    /**
     * The sender's call for {@code id}, started at {@code startNanos}, was answered: the message is committed or
     * confirmed.
     */
    void sent(String id, long startNanos) {
        long now = System.nanoTime();
        sent.increment();
        byId.compute(id, (k, t) -> {
            Timing done = new Timing(startNanos, now, t == null ? UNSET : t.receivedNanos);
            complete(done);
            return done;
        });
    }

    /** The consumer received {@code id}. */
    void received(String id) {
        long now = System.nanoTime();
        byId.compute(id, (k, t) -> {
            if (t == null) {
                return new Timing(UNSET, UNSET, now);
            }
            if (t.receivedNanos != UNSET) {
                if (t.sentNanos != UNSET) {
                    duplicates.increment(); // a stray received again (RocketMQ redelivers) is no duplicate of ours
                }
                return t;
            }
            Timing done = new Timing(t.startNanos, t.sentNanos, now);
            complete(done);
            return done;
        });
    }

    /** Called under the id's lock with its new times: records the latencies once both ends are known. */
    private void complete(Timing t) {
        if (t.sentNanos == UNSET || t.receivedNanos == UNSET) {
            return;
        }
        latencyMicros.recordValue(micros(t.receivedNanos - t.sentNanos));
        fromStartMicros.recordValue(micros(t.receivedNanos - t.startNanos));
        delivered.increment();
    }

    private static long micros(long nanos) {
        return Math.min(60_000_000L, Math.max(0, nanos / 1000));
    }

    long sent() {
        return sent.sum();
    }

    long delivered() {
        return delivered.sum();
    }

    long duplicates() {
        return duplicates.sum();
    }

    /**
     * Waits until every sent message was received, at most {@code bound}; polls, as the coordinator's drain does.
     *
     * @return the seconds it took (the bound when some are still missing: {@link #delivered()} then says how many)
     */
    double awaitAllDelivered(Duration bound) throws InterruptedException {
        long t0 = System.nanoTime();
        long deadline = t0 + bound.toNanos();
        while (delivered() < sent() && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    double p50Ms() {
        return latencyMicros.getValueAtPercentile(50) / 1000.0;
    }

    double p99Ms() {
        return latencyMicros.getValueAtPercentile(99) / 1000.0;
    }

    double fromStartP50Ms() {
        return fromStartMicros.getValueAtPercentile(50) / 1000.0;
    }

    double fromStartP99Ms() {
        return fromStartMicros.getValueAtPercentile(99) / 1000.0;
    }
}
