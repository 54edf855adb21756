package dev.pactum.client.barrier;

import dev.pactum.api.PactumException;

/**
 * A barrier call failed for a reason that is neither a refusal nor a lost race: the database could not be
 * reached, a statement failed, the commit's fate is unknown, or the business code threw a checked exception.
 * Whatever the local transaction did was rolled back or its outcome is unknown; either way the caller should
 * answer with an error that makes the coordinator retry (HTTP 500), and the barrier makes the retry safe.
 * {@link BrokenTransactionException} is the case where the business code returned but its local transaction
 * could not be committed as the barrier's.
 */
public class BarrierException extends PactumException {
    public BarrierException(String message, Throwable cause) {
        super("barrier_failed", message, cause);
    }
}
