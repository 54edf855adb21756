package dev.pactum.client.msg;

import dev.pactum.client.barrier.BarrierDialect;
import dev.pactum.client.barrier.BarrierKey;
import dev.pactum.client.jdbc.LocalTransactions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;

/**
 * The check-back's answer, from the message's barrier row (docs/messages.md, "The producer"): in one short READ
 * COMMITTED transaction with a bounded lock wait, insert the row marked {@link MessageRow#BY_CHECK}.
 * <ul>
 *   <li>the insert waits while the local transaction holds the key uncommitted;</li>
 *   <li>it inserts: no local transaction committed the row, and none can any more (its insert meets this
 *       committed row) → {@link CheckAnswer#ROLLED_BACK};</li>
 *   <li>the key is taken by a committed row: {@link MessageRow#BY_LOCAL} → {@link CheckAnswer#COMMITTED}, an
 *       earlier check's mark → {@link CheckAnswer#ROLLED_BACK};</li>
 *   <li>the wait runs out, or anything fails → {@link CheckAnswer#UNKNOWN}: nothing was written, ask again.</li>
 * </ul>
 */
final class CheckBack {
    private static final Logger log = LoggerFactory.getLogger(CheckBack.class);

    private final DataSource dataSource;
    private final BarrierDialect dialect;
    private final Clock clock;
    private final Duration lockWait;

    CheckBack(DataSource dataSource, BarrierDialect dialect, Clock clock, Duration lockWait) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.clock = clock;
        this.lockWait = lockWait;
    }

    /** @throws dev.pactum.api.InvalidInputException naming the field when an id is missing or malformed */
    CheckAnswer check(String gid, String branchId) {
        BarrierKey.checkId("gid", gid);
        BarrierKey.checkId("branchId", branchId);
        String what = "check of message " + gid + "/" + branchId;
        try (Connection conn = dataSource.getConnection()) {
            boolean autoCommit = conn.getAutoCommit();
            int isolation = conn.getTransactionIsolation();
            // READ COMMITTED: the read after a conflicting insert must see the row that conflicted, which an older
            // REPEATABLE READ snapshot would not (and PostgreSQL's ON CONFLICT refuses under it).
            if (isolation != Connection.TRANSACTION_READ_COMMITTED) {
                conn.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            }
            if (autoCommit) {
                conn.setAutoCommit(false);
            }
            String oldLockTimeout = null;
            try {
                oldLockTimeout = dialect.boundLockWait(conn, lockWait);
                return decide(conn, gid, branchId, what);
            } finally {
                // The transaction has ended here (decide commits or rolls back); restore the pooled session.
                dialect.restoreLockTimeout(conn, oldLockTimeout);
                if (autoCommit) {
                    LocalTransactions.restoreAutoCommit(conn, what);
                }
                if (isolation != Connection.TRANSACTION_READ_COMMITTED) {
                    conn.setTransactionIsolation(isolation);
                }
            }
        } catch (SQLException e) {
            log.warn("{}: failed, answering unknown: {}", what, e.toString());
            return CheckAnswer.UNKNOWN;
        }
    }

    private CheckAnswer decide(Connection conn, String gid, String branchId, String what) {
        try {
            if (dialect.insertIfAbsent(conn, gid, branchId, MessageRow.OP, MessageRow.BY_CHECK, clock.instant()) != null) {
                conn.commit(); // a commit that fails leaves it unknown: the next check finds out
                log.info("{}: no committed local transaction; marked rolled back", what);
                return CheckAnswer.ROLLED_BACK;
            }
            String origin = dialect.originOf(conn, gid, branchId, MessageRow.OP);
            conn.rollback();
            if (MessageRow.BY_LOCAL.equals(origin)) {
                return CheckAnswer.COMMITTED;
            }
            if (MessageRow.BY_CHECK.equals(origin)) {
                return CheckAnswer.ROLLED_BACK;
            }
            log.warn("{}: the row conflicted but reads as origin {}; answering unknown", what, origin);
            return CheckAnswer.UNKNOWN;
        } catch (SQLException e) {
            LocalTransactions.rollbackQuietly(conn, what, e);
            if (dialect.isRetryable(e)) {
                log.debug("{}: the local transaction still holds its row after {} ms; answering unknown", what,
                        lockWait.toMillis());
            } else {
                log.warn("{}: failed, answering unknown: {}", what, e.toString());
            }
            return CheckAnswer.UNKNOWN;
        }
    }
}
