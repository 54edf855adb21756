package dev.pactum.core;

import dev.pactum.core.model.GlobalTransaction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Makes the next step of transactions held by this node: right after a decision (phase 2 at once), and for what
 * the recovery worker claimed. What a step is belongs to the transaction's {@link Pattern}.
 *
 * <p>Keeps the set of transactions this process is driving right now, so the node that took a decision and
 * the recovery worker of the same process never drive one transaction twice at once. Across processes the
 * store's lease does the same job.
 */
public final class TransactionDriver implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TransactionDriver.class);

    private final PatternRegistry patterns;
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final ExecutorService executor;

    public TransactionDriver(PatternRegistry patterns) {
        this(patterns, Executors.newVirtualThreadPerTaskExecutor());
    }

    /**
     * With the executor that runs {@link #startDriving}'s background work (one virtual thread per task by default);
     * the deterministic simulation passes one that queues the task as a step of its own scheduler. It is shut
     * down by {@link #close}.
     */
    public TransactionDriver(PatternRegistry patterns, ExecutorService executor) {
        this.patterns = patterns;
        this.executor = executor;
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
        if (tx.status().isFinal()) {
            return tx;
        }
        try {
            return patterns.of(tx.pattern()).onDue(tx);
        } catch (RuntimeException e) {
            // The store or a participant call failed (database down...). The lease runs out and a worker retries.
            log.error("driving {} ({} {}) failed; it will be retried when its lease expires", tx.gid(), tx.pattern(),
                    tx.status(), e);
            return tx;
        }
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
