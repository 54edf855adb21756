package dev.pactum.client.msg;

import dev.pactum.client.barrier.BarrierDialect;
import dev.pactum.client.barrier.BranchWork;
import dev.pactum.client.jdbc.GuardedConnection;
import dev.pactum.client.jdbc.LocalTransactions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;

/**
 * The producer's local transaction: the message's barrier row ({@link MessageRow#BY_LOCAL}) inserted first, then
 * the caller's work on the same connection, then one commit. The row is what the check-back reads, so the
 * transaction commits only with it:
 * <ol>
 *   <li>insert-if-absent the row; a row already there means a check rolled the message back first (or this
 *       message's transaction already ran): refuse, touch nothing;</li>
 *   <li>run the work on a {@link GuardedConnection} (no commit, rollback, auto-commit or close of its own);</li>
 *   <li>prove the transaction is still the one that wrote the row ({@link BarrierDialect#isStillMarked}): work
 *       that caught an error may have left it aborted (PostgreSQL, whose driver then "commits" by rolling back)
 *       or rolled back under it (InnoDB, H2), and submitting then would deliver a message whose transaction did
 *       not commit;</li>
 *   <li>commit. A commit that throws has an unknown outcome ({@link MessageException#OUTCOME_UNKNOWN}).</li>
 * </ol>
 */
final class LocalTransaction {
    private static final Logger log = LoggerFactory.getLogger(LocalTransaction.class);

    private final DataSource dataSource;
    private final BarrierDialect dialect;
    private final Clock clock;

    LocalTransaction(DataSource dataSource, BarrierDialect dialect, Clock clock) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.clock = clock;
    }

    /**
     * Runs {@code work} with the message's row in one local transaction and commits it.
     *
     * @throws RuntimeException  the work's own, after the rollback
     * @throws MessageException  anything else that kept it from committing (code says what), or
     *                           {@link MessageException#OUTCOME_UNKNOWN} when the commit itself failed
     */
    void run(String gid, String branchId, BranchWork work) {
        String what = "local transaction of message " + gid + "/" + branchId;
        Connection conn;
        try {
            conn = dataSource.getConnection();
        } catch (SQLException e) {
            throw new MessageException(MessageException.DATABASE, gid, branchId, "no connection: " + e.getMessage(), e);
        }
        try {
            boolean autoCommit;
            try {
                autoCommit = conn.getAutoCommit();
                if (autoCommit) {
                    conn.setAutoCommit(false);
                }
            } catch (SQLException e) {
                throw new MessageException(MessageException.DATABASE, gid, branchId, "could not begin: "
                        + e.getMessage(), e);
            }
            try {
                runInTransaction(conn, gid, branchId, work, what);
            } finally {
                if (autoCommit) {
                    LocalTransactions.restoreAutoCommit(conn, what);
                }
            }
        } finally {
            try {
                conn.close();
            } catch (SQLException e) {
                // The transaction has ended either way; a pool's close failure changes nothing about it.
                log.debug("{}: close failed", what, e);
            }
        }
    }

    private void runInTransaction(Connection conn, String gid, String branchId, BranchWork work, String what) {
        boolean committing = false;
        try {
            String inserted = dialect.insertIfAbsent(conn, gid, branchId, MessageRow.OP, MessageRow.BY_LOCAL,
                    clock.instant());
            if (inserted == null) {
                String origin = dialect.originOf(conn, gid, branchId, MessageRow.OP);
                throw new MessageException(MessageException.ROLLED_BACK, gid, branchId,
                        MessageRow.BY_CHECK.equals(origin)
                                ? "a check-back found no committed local transaction and marked the message rolled"
                                + " back first; this local transaction must not commit: rolled back, nothing done"
                                : "its barrier row is already there (origin " + origin + "): a local transaction of"
                                + " this message already ran; rolled back, nothing done", null);
            }
            String mark = dialect.markTransaction(conn, inserted);
            GuardedConnection guarded = new GuardedConnection(conn, what);
            try {
                work.run(guarded.connection());
            } catch (RuntimeException e) {
                throw guarded.refusedCall() != null ? broken(gid, branchId, "the work called "
                        + guarded.refusedCall() + " on its connection (refused), then threw " + e, e) : e;
            } catch (Exception e) {
                throw new MessageException(guarded.refusedCall() != null ? MessageException.BROKEN
                        : MessageException.WORK_FAILED, gid, branchId, "the local work failed: " + e, e);
            }
            if (guarded.refusedCall() != null || conn.getAutoCommit()) {
                if (conn.getAutoCommit()) {
                    conn.setAutoCommit(false); // a SET autocommit statement: back to normal for the rollback
                }
                throw broken(gid, branchId, "the work called " + (guarded.refusedCall() != null
                        ? guarded.refusedCall() + " (refused)" : "a statement that switched auto-commit on")
                        + "; the row and the work commit together or not at all", null);
            }
            requireStillMarked(conn, gid, branchId, mark);
            committing = true;
            conn.commit();
        } catch (Throwable t) {
            LocalTransactions.rollbackQuietly(conn, what, t);
            throw failed(gid, branchId, t, committing);
        }
        log.debug("{}: committed", what);
    }

    private void requireStillMarked(Connection conn, String gid, String branchId, String mark) throws SQLException {
        boolean still;
        try {
            still = dialect.isStillMarked(conn, gid, branchId, MessageRow.OP, mark);
        } catch (SQLException e) {
            if (dialect.isAborted(e)) {
                throw broken(gid, branchId, "a statement of the work failed and the database aborted the"
                        + " transaction (SQLState " + e.getSQLState() + "); the work caught the error and went on", e);
            }
            throw e;
        }
        if (!still) {
            throw broken(gid, branchId, "the transaction that wrote the barrier row ended before the commit (the"
                    + " database rolled it back after an error the work caught, or a statement of the work ended it)",
                    null);
        }
    }

    private static MessageException broken(String gid, String branchId, String why, Throwable cause) {
        return new MessageException(MessageException.BROKEN, gid, branchId, why + "; rolled back", cause);
    }

    private static RuntimeException failed(String gid, String branchId, Throwable t, boolean committing) {
        if (committing) {
            return new MessageException(MessageException.OUTCOME_UNKNOWN, gid, branchId, "the commit failed, its"
                    + " outcome is unknown: " + t, t);
        }
        if (t instanceof RuntimeException re) {
            return re;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new MessageException(MessageException.DATABASE, gid, branchId, "rolled back after a database"
                + " failure: " + t, t);
    }
}
