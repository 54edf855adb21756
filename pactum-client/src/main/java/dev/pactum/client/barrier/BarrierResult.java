package dev.pactum.client.barrier;

import dev.pactum.api.Outcome;

/**
 * How a {@link Barrier#run barrier call} ended, and what the participant should answer.
 *
 * <pre>
 *  result              business code      local transaction    answer
 *  APPLIED             ran                committed            200 success
 *  DUPLICATE           skipped            committed (no-op)    200 success
 *  EMPTY_COMPENSATION  skipped            committed (row)      200 success
 *  SUSPENDED           skipped            committed (no-op)    409 failure, do not retry
 *  REFUSED             threw refusal      rolled back          409 failure, do not retry
 *  RETRY               maybe started      rolled back          425 try later
 * </pre>
 */
public enum BarrierResult {
    /** The business code ran and committed together with the barrier row. */
    APPLIED(Outcome.SUCCESS),
    /** This operation already took effect for this branch; nothing was done again. */
    DUPLICATE(Outcome.SUCCESS),
    /**
     * A Cancel arrived before (or instead of) its Try: there is nothing to compensate. The Cancel is recorded
     * so that a Try arriving later is {@link #SUSPENDED}.
     */
    EMPTY_COMPENSATION(Outcome.SUCCESS),
    /**
     * A Try arrived after its branch was cancelled (the "hanging" Try): it must not reserve anything, since
     * no Confirm or Cancel will ever come to release it. The caller is told the Try failed.
     */
    SUSPENDED(Outcome.FAILURE),
    /**
     * The business code refused by throwing {@link BranchRefusedException}; everything, barrier row included,
     * was rolled back, so a Cancel that follows is an empty compensation.
     */
    REFUSED(Outcome.FAILURE),
    /**
     * A concurrent transaction got in the way (deadlock, serialization failure, lock timeout). Everything was
     * rolled back; calling again is safe and will usually succeed.
     */
    RETRY(Outcome.ONGOING);

    private final Outcome outcome;

    BarrierResult(Outcome outcome) {
        this.outcome = outcome;
    }

    /** The branch-call outcome to report to the coordinator or the client. */
    public Outcome outcome() {
        return outcome;
    }

    /** The HTTP status a participant answers with (DESIGN.md conventions): 200, 409 or 425. */
    public int httpStatus() {
        return outcome.httpStatus();
    }

    /** Whether the business code ran and its effects are committed: only for {@link #APPLIED}. */
    public boolean businessApplied() {
        return this == APPLIED;
    }
}
