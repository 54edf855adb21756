package dev.pactum.client.barrier;

import dev.pactum.client.barrier.BrokenTransactionException.Reason;
import dev.pactum.client.jdbc.GuardedConnection;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Runs the business code of an {@link BarrierResult#APPLIED APPLIED} call and proves, right before the barrier
 * commits, that the local transaction is still the one that wrote the barrier row. Business code may catch an
 * {@link SQLException} and go on; then, depending on the database, the transaction is
 * <ul>
 *   <li>intact: the failed statement alone was undone (MySQL, MariaDB, H2 for most errors; PostgreSQL when the
 *       business code rolled back to a savepoint of its own);</li>
 *   <li>aborted: PostgreSQL refuses every statement until a rollback (25P02), and pgjdbc's {@code commit()}
 *       returns normally while the server rolls back;</li>
 *   <li>gone: InnoDB (deadlock; lock wait timeout with {@code innodb_rollback_on_timeout}) and H2 (deadlock)
 *       roll the whole transaction back, and with auto-commit off the next statement silently opens a new one,
 *       which the barrier's commit would then commit without its row.</li>
 * </ul>
 * Business code may also end the transaction itself. So, in this order:
 * <ol>
 *   <li>{@link BarrierDialect#markTransaction mark} the transaction (the barrier row is already written; on
 *       PostgreSQL and H2 its insert returned the transaction id, on MySQL a savepoint is set);</li>
 *   <li>run the business code on a {@link GuardedConnection}, which refuses commit, rollback, auto-commit on,
 *       close and abort;</li>
 *   <li>check that no such call was attempted, that auto-commit is still off (a {@code SET autocommit}
 *       statement), and that the {@link BarrierDialect#isStillMarked marked transaction} is still open.</li>
 * </ol>
 * Anything amiss throws {@link BrokenTransactionException}; the barrier then rolls back and answers nothing
 * that the coordinator would take for done. Nothing runs between the check and the commit, so the commit
 * cannot meet a transaction that is aborted or gone (the only case in which pgjdbc hides a rollback).
 *
 * <p>Cost per applied call: the check, one statement; on MySQL and MariaDB also the savepoint. Figures in
 * docs/barrier.md.
 */
final class TransactionGuard {
    private TransactionGuard() {
    }

    /** @param inserted what the insert of the operation's barrier row returned (the mark, or what makes it) */
    static void runWork(Connection conn, BarrierDialect dialect, BarrierKey key, String inserted, BranchWork work)
            throws Exception {
        String mark = dialect.markTransaction(conn, inserted);
        GuardedConnection guarded = new GuardedConnection(conn, "barrier " + key);
        try {
            work.run(guarded.connection());
        } catch (Throwable t) {
            // The business code's failure rolls everything back anyway; a refused call still says more.
            if (guarded.refusedCall() != null) {
                throw refused(key, guarded, t);
            }
            throw t;
        }
        if (guarded.refusedCall() != null) {
            throw refused(key, guarded, null);
        }
        if (conn.getAutoCommit()) {
            // A SET autocommit statement committed the transaction, barrier row included, and every later
            // statement committed on its own. Switch back so that the rollback and the pool see a normal state.
            conn.setAutoCommit(false);
            throw new BrokenTransactionException(key, Reason.ENDED, "auto-commit was switched on by a statement of"
                    + " the business code; what ran before it is committed with the barrier row", null);
        }
        boolean stillMarked;
        try {
            stillMarked = dialect.isStillMarked(conn, key, mark);
        } catch (SQLException e) {
            if (dialect.isAborted(e)) {
                throw new BrokenTransactionException(key, Reason.ABORTED, "a statement of the business code failed"
                        + " and the database aborted the transaction (SQLState " + e.getSQLState() + "); the"
                        + " business code caught the error and went on. To ignore an expected error, roll back"
                        + " to a savepoint set before the statement", e);
            }
            throw e;
        }
        if (!stillMarked) {
            throw new BrokenTransactionException(key, Reason.ENDED, "the transaction that wrote the barrier row"
                    + " ended before the barrier's commit: the database rolled it back after an error the business"
                    + " code caught (deadlock), or a statement of the business code committed or rolled it back", null);
        }
    }

    private static BrokenTransactionException refused(BarrierKey key, GuardedConnection guarded, Throwable thrown) {
        return new BrokenTransactionException(key, Reason.TRANSACTION_CONTROL, "the business code called "
                + guarded.refusedCall() + " on the barrier's connection (refused)"
                + (thrown == null ? "" : ", then threw " + thrown), thrown);
    }
}
