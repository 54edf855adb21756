package dev.pactum.core.testkit;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * An executor that hands each task to a function instead of a thread. {@link #direct()} runs it on the calling
 * thread at once: given to {@code PhaseTwoCalls}, {@code RecoveryWorker} or {@code TransactionDriver}, it makes
 * their parallel work sequential and deterministic. The simulation hands the driver's tasks to its scheduler.
 */
public final class HandOffExecutorService extends AbstractExecutorService {
    private final Consumer<Runnable> handOff;
    private volatile boolean shutdown;

    public HandOffExecutorService(Consumer<Runnable> handOff) {
        this.handOff = Objects.requireNonNull(handOff, "handOff");
    }

    /** Runs every task on the calling thread, at once. */
    public static HandOffExecutorService direct() {
        return new HandOffExecutorService(Runnable::run);
    }

    @Override
    public void execute(Runnable command) {
        if (shutdown) {
            throw new RejectedExecutionException("executor is shut down");
        }
        handOff.accept(command);
    }

    @Override
    public void shutdown() {
        shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
        shutdown = true;
        return List.of();
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return shutdown;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return true;
    }
}
