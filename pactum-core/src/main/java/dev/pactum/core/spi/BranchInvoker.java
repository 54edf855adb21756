package dev.pactum.core.spi;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Makes one phase-2 call to a participant and says how it ended. Implementations never throw for a
 * participant's failure: an unreachable or slow participant is an {@code ONGOING} result with a detail.
 */
public interface BranchInvoker extends AutoCloseable {
    CallResult invoke(BranchCall call);

    /**
     * Starts the call and completes when it ends (never exceptionally). An invoker that can wait for the answer
     * without a thread of its own does so (the HTTP invoker: Jetty's client sends and receives on its selector), so
     * that the calls of a round run in parallel without one thread each; the default runs {@link #invoke} on
     * {@code executor}.
     */
    default CompletableFuture<CallResult> invokeAsync(BranchCall call, Executor executor) {
        return CompletableFuture.supplyAsync(() -> invoke(call), executor);
    }

    @Override
    default void close() {
    }
}
