package dev.pactum.client.barrier;

import java.util.Objects;

/**
 * The business code of a barrier call returned, but the local transaction was no longer the one the barrier
 * opened and wrote its row in, so the barrier rolled back instead of committing: <b>nothing was acknowledged</b>.
 * Answer it as any {@link BarrierException} (HTTP 500): the coordinator calls a Confirm or Cancel again, and a Try
 * does not count as tried. A retry is safe: the barrier row was not committed by the barrier.
 *
 * <p>Without this check the barrier would answer {@link BarrierResult#APPLIED} for work that the database had
 * already thrown away (PostgreSQL's JDBC driver returns normally from {@code commit()} on an aborted transaction,
 * which is rolled back), or would commit later statements that InnoDB or H2 ran in a new transaction after
 * silently rolling back the first. See docs/barrier.md, "When the business code breaks the transaction".
 */
public final class BrokenTransactionException extends BarrierException {
    /** What the barrier found right before it would have committed. */
    public enum Reason {
        /**
         * A statement failed, the business code caught the exception and went on, and the database had marked
         * the whole transaction failed (PostgreSQL, SQLState 25P02): a commit would have rolled it back.
         */
        ABORTED,
        /**
         * The transaction that wrote the barrier row had already ended: the database rolled it back whole after
         * an error the business code caught (a deadlock on InnoDB or H2; a lock wait timeout on InnoDB with
         * {@code innodb_rollback_on_timeout}), or a statement ended it ({@code COMMIT} or {@code ROLLBACK} as SQL
         * text, DDL that commits implicitly on MySQL, MariaDB and H2, {@code SET autocommit}). If it ended by a
         * commit, what ran before that commit is committed together with the barrier row and a retry answers
         * {@link BarrierResult#DUPLICATE}: the barrier can report this, not undo it.
         */
        ENDED,
        /**
         * The business code called {@code commit()}, {@code rollback()}, {@code setAutoCommit(true)},
         * {@code close()} or {@code abort()} on the connection it was given. The barrier refused the call (it
         * threw {@link java.sql.SQLException}), so nothing was committed or rolled back by it.
         */
        TRANSACTION_CONTROL
    }

    private final BarrierKey key;
    private final Reason reason;

    BrokenTransactionException(BarrierKey key, Reason reason, String detail, Throwable cause) {
        super("barrier " + key + ": not committed, " + reason + ": " + detail
                + "; rolled back, nothing acknowledged (answer 500, the call is retried)", cause);
        this.key = Objects.requireNonNull(key, "key");
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** Which operation of which branch. */
    public BarrierKey key() {
        return key;
    }

    public Reason reason() {
        return reason;
    }
}
