package dev.pactum.core;

import dev.pactum.api.BranchOp;
import dev.pactum.api.Operation;
import dev.pactum.core.model.BranchRecord;
import dev.pactum.core.spi.BranchCall;
import dev.pactum.core.spi.BranchInvoker;
import dev.pactum.core.spi.CallResult;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Calls a set of branches in parallel and returns the results in the same order: each through the invoker's
 * asynchronous path ({@link BranchInvoker#invokeAsync}), which for HTTP holds no thread while the call runs, else one
 * virtual thread each. A single branch is called on the caller's thread: no hand-off for the common small case.
 */
public final class PhaseTwoCalls implements AutoCloseable {
    private final BranchInvoker invoker;
    private final CoordinatorMetrics metrics;
    private final ExecutorService executor;

    public PhaseTwoCalls(BranchInvoker invoker, CoordinatorMetrics metrics) {
        this(invoker, metrics, Executors.newVirtualThreadPerTaskExecutor());
    }

    /**
     * With the executor that makes the calls of a set in parallel (one virtual thread each by default); the
     * deterministic simulation passes one that runs each call on the calling thread. Shut down by {@link #close}.
     */
    public PhaseTwoCalls(BranchInvoker invoker, CoordinatorMetrics metrics, ExecutorService executor) {
        this.executor = executor;
        this.invoker = invoker;
        this.metrics = metrics;
    }

    public List<CallResult> callAll(String gid, BranchOp op, List<BranchRecord> branches,
                                    String operation) {
        if (branches.size() == 1) {
            BranchRecord b = branches.getFirst();
            return List.of(call(callOf(gid, op, b, operation)));
        }
        List<CompletableFuture<CallResult>> futures = new ArrayList<>(branches.size());
        for (BranchRecord b : branches) {
            futures.add(callAsync(callOf(gid, op, b, operation)));
        }
        // One wait for the whole set: the thread is woken once, by the last answer, not once per answer.
        try {
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            // Shutting down: stop waiting. Cancelling these futures does not abort a call already sent; it ends
            // at its own timeout (--branch-timeout). Its branch is retried by a later round.
            futures.forEach(other -> other.cancel(true));
        } catch (ExecutionException e) {
            // Each call's failure is its own result below.
        }
        List<CallResult> results = new ArrayList<>(branches.size());
        for (CompletableFuture<CallResult> f : futures) {
            if (!f.isDone() || f.isCancelled()) {
                results.add(CallResult.noAnswer("interrupted while waiting for the call"));
                continue;
            }
            try {
                results.add(f.join());
            } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
                results.add(CallResult.noAnswer("call failed: " + (e.getCause() != null ? e.getCause() : e)));
            }
        }
        return results;
    }

    /** One call of a parallel set: through the invoker's own asynchronous path, timed and counted when it ends. */
    private CompletableFuture<CallResult> callAsync(BranchCall c) {
        long start = System.nanoTime();
        CompletableFuture<CallResult> f;
        try {
            f = invoker.invokeAsync(c, executor);
        } catch (RuntimeException e) {
            f = CompletableFuture.completedFuture(CallResult.noAnswer("invoker error: " + e));
        }
        return f.exceptionally(e -> CallResult.noAnswer("invoker error: " + e)).thenApply(r -> {
            metrics.call(c.op(), r.outcome(), Duration.ofNanos(System.nanoTime() - start));
            return r;
        });
    }

    private static BranchCall callOf(String gid, BranchOp op, BranchRecord b, String operation) {
        Operation o = b.operation(operation);
        return new BranchCall(gid, b.branchId(), op, o.target(), o.payload(), o.key(), o.headers());
    }

    private CallResult call(BranchCall c) {
        long start = System.nanoTime();
        CallResult r;
        try {
            r = invoker.invoke(c);
        } catch (RuntimeException e) {
            // An invoker must not throw, but if one does the branch is simply retried later.
            r = CallResult.noAnswer("invoker error: " + e);
        }
        metrics.call(c.op(), r.outcome(), Duration.ofNanos(System.nanoTime() - start));
        return r;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
