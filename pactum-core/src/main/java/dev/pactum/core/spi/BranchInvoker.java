package dev.pactum.core.spi;

/**
 * Makes one phase-2 call to a participant and says how it ended. Implementations never throw for a
 * participant's failure: an unreachable or slow participant is an {@code ONGOING} result with a detail.
 */
public interface BranchInvoker extends AutoCloseable {
    CallResult invoke(BranchCall call);

    @Override
    default void close() {
    }
}
