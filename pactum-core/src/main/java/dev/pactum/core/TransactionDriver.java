package dev.pactum.core;

import dev.pactum.api.GlobalStatus;
import dev.pactum.api.TxPattern;
import dev.pactum.core.model.GlobalTransaction;
import dev.pactum.core.spi.TransactionStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Runs phase 2 of decided transactions held by this node, and aborts ACTIVE ones whose timeout has passed.
 *
 * <p>Keeps the set of transactions this process is driving right now, so the node that took a decision and
 * the recovery worker of the same process never drive one transaction twice at once. Across processes the
 * store's lease does the same job.
 */
public final class TransactionDriver implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TransactionDriver.class);

    private final TransactionStore store;
    private final Map<TxPattern, PatternProcessor> processors = new EnumMap<>(TxPattern.class);
    private final CoordinatorConfig config;
    private final CoordinatorMetrics metrics;
    private final Clock clock;
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final ExecutorService executor;

    public TransactionDriver(TransactionStore store, List<PatternProcessor> processors, CoordinatorConfig config,
                             CoordinatorMetrics metrics, Clock clock) {
        this(store, processors, config, metrics, clock, Executors.newVirtualThreadPerTaskExecutor());
    }

    /**
     * With the executor that runs {@link #startDriving}'s background work (one virtual thread per task by default);
     * the deterministic simulation passes one that queues the task as a step of its own scheduler. It is shut
     * down by {@link #close}.
     */
    public TransactionDriver(TransactionStore store, List<PatternProcessor> processors, CoordinatorConfig config,
                             CoordinatorMetrics metrics, Clock clock, ExecutorService executor) {
        this.store = store;
        this.executor = executor;
        for (PatternProcessor p : processors) {
            this.processors.put(p.pattern(), p);
        }
        this.config = config;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** Drives {@code tx} in the background; returns false if this process is already driving it. */
    public boolean startDriving(GlobalTransaction tx) {
        if (!inFlight.add(tx.gid())) {
            return false;
        }
        try {
            executor.execute(() -> {
                try {
                    drive(tx);
                } finally {
                    inFlight.remove(tx.gid());
                }
            });
        } catch (RuntimeException e) {
            inFlight.remove(tx.gid()); // executor closed: the lease expires and a worker takes it later
            return false;
        }
        return true;
    }

    /** Drives {@code tx} on this thread; returns the stored transaction, or null if it was already in flight. */
    public GlobalTransaction driveNow(GlobalTransaction tx) {
        if (!inFlight.add(tx.gid())) {
            return null;
        }
        try {
            return drive(tx);
        } finally {
            inFlight.remove(tx.gid());
        }
    }

    public boolean isInFlight(String gid) {
        return inFlight.contains(gid);
    }

    private GlobalTransaction drive(GlobalTransaction tx) {
        try {
            GlobalTransaction current = tx;
            if (current.status() == GlobalStatus.ACTIVE) {
                current = expire(current);
                if (current == null || current.status() == GlobalStatus.ACTIVE) {
                    return current;
                }
            }
            if (current.status().isFinal()) {
                return current;
            }
            PatternProcessor p = processors.get(current.pattern());
            if (p == null) {
                throw new IllegalStateException("no processor for pattern " + current.pattern() + " of " + current.gid());
            }
            GlobalTransaction after = p.driveOnce(current);
            if (after.status().isFinal()) {
                metrics.finished(after.status());
                log.debug("{} finished {}", after.gid(), after.status());
            } else if (after.version() != current.version()) {
                metrics.retryScheduled();
            }
            return after;
        } catch (RuntimeException e) {
            // The store or a processor failed (database down...). The lease runs out and a worker retries.
            log.error("driving {} ({}) failed; it will be retried when its lease expires", tx.gid(), tx.status(), e);
            return tx;
        }
    }

    /** An ACTIVE transaction past its timeout is aborted; one not yet due is handed back to the schedule. */
    private GlobalTransaction expire(GlobalTransaction tx) {
        Instant now = clock.instant();
        if (tx.timeoutAt().isAfter(now)) {
            return store.compareAndSet(tx, tx.rescheduled(tx.timeoutAt(), now)).orElse(null);
        }
        GlobalTransaction aborting = tx.moveTo(GlobalStatus.ABORTING, "timeout", now, config.nodeId(),
                now.plus(config.lease()));
        GlobalTransaction stored = store.compareAndSet(tx, aborting).orElse(null);
        if (stored != null) {
            metrics.decided(GlobalStatus.ABORTING);
            log.info("{} timed out while ACTIVE (timeout was {}); aborting", tx.gid(), tx.timeoutAt());
        }
        return stored;
    }

    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            executor.shutdownNow();
        }
    }
}
