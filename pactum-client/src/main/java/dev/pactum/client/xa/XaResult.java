package dev.pactum.client.xa;

import dev.pactum.api.Outcome;

/**
 * How a call on an XA branch ended, and what the participant answers.
 *
 * <pre>
 *  result        work (business call)          prepare (phase 1)          commit / rollback (phase 2)    answer
 *  APPLIED       ran, branch idle, holds locks prepared: vote yes           done now                       200
 *  READ_ONLY     -                             nothing to commit: yes     -                              200
 *  DUPLICATE     already done, not run again   already prepared: yes      already done, or xid unknown   200
 *  REFUSED       refused, rolled back          vote no (rolled back)      contradicts what happened      409
 *  RETRY         lost a race or timed out,     try again later            try again later                425
 *                rolled back
 * </pre>
 */
public enum XaResult {
    /** The operation took effect now. */
    APPLIED(Outcome.SUCCESS),
    /**
     * Prepare found nothing to commit (the database answered XA_RDONLY): a yes vote, and the branch is already
     * over, so a later commit or rollback is a no-op success. Neither PostgreSQL nor MariaDB answers it (both
     * prepare a read-only branch like any other); other XA resources may.
     */
    READ_ONLY(Outcome.SUCCESS),
    /**
     * The operation had already taken effect: a repeated work call for a branch still held or prepared, a
     * repeated prepare, a commit or rollback of an xid the database no longer (or never) had.
     */
    DUPLICATE(Outcome.SUCCESS),
    /**
     * No, for good. For work: the business code threw {@link dev.pactum.client.barrier.BranchRefusedException},
     * or the branch was already rolled back; everything was rolled back. For prepare: the vote is no (the
     * branch is not held here and not prepared in the database, or the database rolled it back). For commit or
     * rollback: the call contradicts what this participant did (commit of a branch it rolled back or never
     * prepared); a coordinator bug, logged as an error.
     */
    REFUSED(Outcome.FAILURE),
    /**
     * Try again later: the database is unreachable, the branch is busy in another call, the outcome could not
     * be confirmed, or (for work) no connection was free within the connection timeout, or a deadlock, a
     * serialization failure, or a lock wait or statement past the work timeout rolled the branch back. The
     * transaction manager aborts on it, as on REFUSED; only the whole transaction may be tried again.
     */
    RETRY(Outcome.ONGOING);

    private final Outcome outcome;

    XaResult(Outcome outcome) {
        this.outcome = outcome;
    }

    /** The branch-call outcome to report to the coordinator or the transaction manager. */
    public Outcome outcome() {
        return outcome;
    }

    /** The HTTP status a participant answers with (DESIGN.md conventions): 200, 409 or 425. */
    public int httpStatus() {
        return outcome.httpStatus();
    }

    /** Whether the answer is a success (200): a yes vote for prepare. */
    public boolean isSuccess() {
        return outcome == Outcome.SUCCESS;
    }
}
