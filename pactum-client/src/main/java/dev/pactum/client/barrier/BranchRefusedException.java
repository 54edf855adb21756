package dev.pactum.client.barrier;

import dev.pactum.api.PactumException;

/**
 * Thrown by business code to refuse a branch operation for good, typically a Try that cannot reserve
 * ("balance 30, need 50"). The barrier rolls back the business changes and the barrier row and returns
 * {@link BarrierResult#REFUSED}, which a participant answers with 409: the coordinator will not retry and the
 * global transaction rolls back.
 *
 * <p>Refusing a Confirm or a Cancel breaks the TCC contract (both must eventually succeed); the coordinator
 * keeps retrying them.
 */
public class BranchRefusedException extends PactumException {
    public BranchRefusedException(String message) {
        super("branch_refused", message, null);
    }

    public BranchRefusedException(String message, Throwable cause) {
        super("branch_refused", message, cause);
    }
}
