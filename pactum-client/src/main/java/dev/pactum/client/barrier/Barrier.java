package dev.pactum.client.barrier;

import dev.pactum.api.BranchOp;
import dev.pactum.client.jdbc.DatabaseKind;
import dev.pactum.client.jdbc.LocalTransactions;
import dev.pactum.client.jdbc.SchemaScript;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The participant side of a TCC branch: runs each Try, Confirm and Cancel in its own local transaction
 * together with a row in {@value #TABLE}, so that
 * <ul>
 *   <li>a repeated call takes effect once ({@link BarrierResult#DUPLICATE}),</li>
 *   <li>a Cancel without a Try changes no business data ({@link BarrierResult#EMPTY_COMPENSATION}),</li>
 *   <li>a Try that arrives after its Cancel does nothing ({@link BarrierResult#SUSPENDED}).</li>
 * </ul>
 *
 * <pre>{@code
 * Barrier barrier = Barrier.forDataSource(dataSource);
 * barrier.createSchemaIfMissing();
 * ...
 * BarrierResult r = barrier.run(BarrierKey.fromHeaders(request::getHeader), conn -> {
 *     try (PreparedStatement ps = conn.prepareStatement(
 *             "UPDATE account SET frozen = frozen + ? WHERE id = ? AND balance - frozen >= ?")) {
 *         ...
 *         if (ps.executeUpdate() == 0) throw new BranchRefusedException("insufficient balance");
 *     }
 * });
 * response.setStatus(r.httpStatus());
 * }</pre>
 *
 * <h2>The algorithm</h2>
 * In one local transaction, for operation {@code op} of branch {@code (gid, branch_id)}:
 * <ol>
 *   <li>if {@code op} is cancel, insert-if-absent {@code (gid, branch_id, 'try', origin 'cancel')}: a Try
 *       that comes later finds its row taken;</li>
 *   <li>insert-if-absent {@code (gid, branch_id, op, origin op)};</li>
 *   <li>nothing inserted in 2: the operation already took effect, or (for a Try) a Cancel came first:
 *       skip the business code;</li>
 *   <li>a cancel that inserted the try row in 1: no Try ever took effect, so there is nothing to undo:
 *       skip the business code;</li>
 *   <li>otherwise run the business code on the same connection, and check that the transaction is still
 *       the one that wrote the barrier row ({@link TransactionGuard}): business code that caught an
 *       {@link SQLException} may have left it aborted (PostgreSQL) or rolled back under it (InnoDB, H2);</li>
 *   <li>commit; on any exception, or when the check fails, roll back everything, barrier rows included.</li>
 * </ol>
 * Correctness under concurrency rests on the primary key alone: a second insert of the same key waits for
 * the transaction that inserted it, then conflicts if that one committed or succeeds if it rolled back.
 * See docs/barrier.md for timelines and per-database details.
 *
 * <p>Immutable and thread-safe; share one instance per data source.
 */
public final class Barrier {
    /** The barrier table; the schema scripts beside this class create it. */
    public static final String TABLE = "pactum_barrier";

    /** Rows deleted per statement by {@link #deleteOlderThan}: short transactions, short locks. */
    static final int DELETE_BATCH = 1000;

    private static final Logger log = LoggerFactory.getLogger(Barrier.class);

    private final DataSource dataSource;
    private final BarrierDialect dialect;
    private final Clock clock;

    private Barrier(DataSource dataSource, BarrierDialect dialect, Clock clock) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.dialect = Objects.requireNonNull(dialect, "dialect");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** A barrier over {@code dataSource}, for a database named explicitly. Does not connect. */
    public static Barrier of(DataSource dataSource, BarrierDialect dialect) {
        return new Barrier(dataSource, dialect, Clock.systemUTC());
    }

    /**
     * A barrier over {@code dataSource}, with the dialect read from the connection's metadata (connects once).
     *
     * @throws BarrierException when no connection can be had
     * @throws IllegalArgumentException when the database is not one the barrier supports
     */
    public static Barrier forDataSource(DataSource dataSource) {
        Objects.requireNonNull(dataSource, "dataSource");
        try (Connection conn = dataSource.getConnection()) {
            return of(dataSource, BarrierDialect.detect(conn));
        } catch (SQLException e) {
            throw new BarrierException("cannot detect the barrier dialect: " + e.getMessage(), e);
        }
    }

    /** The same barrier with another clock for {@code created_at} and the {@link #deleteOlderThan} guard. */
    public Barrier withClock(Clock clock) {
        return new Barrier(dataSource, dialect, clock);
    }

    public BarrierDialect dialect() {
        return dialect;
    }

    /**
     * Runs one branch operation behind the barrier. Shorthand for {@code run(new BarrierKey(gid, branchId, op), work)}.
     *
     * @throws dev.pactum.api.InvalidInputException when an argument is missing or malformed (nothing was done)
     */
    public BarrierResult run(String gid, String branchId, BranchOp op, BranchWork work) {
        return run(new BarrierKey(gid, branchId, op), work);
    }

    /**
     * Runs one branch operation behind the barrier, in a new local transaction on a connection of its own.
     *
     * @param key  which operation of which branch
     * @param work the business code; runs at most once per key, only when the result is {@link BarrierResult#APPLIED}
     * @return how the call ended; {@link BarrierResult#httpStatus()} is what to answer
     * @throws RuntimeException   the business code's own unchecked exception, after rolling back
     * @throws BarrierException   a database failure, an unknown commit outcome, or a checked exception from
     *                            the business code (as the cause); answer 500 so the call is retried
     * @throws BrokenTransactionException (a {@code BarrierException}) the business code returned but its local
     *                            transaction was aborted, had ended, or was ended by it; rolled back, answer 500
     */
    public BarrierResult run(BarrierKey key, BranchWork work) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(work, "work");
        Instant now = clock.instant();
        Connection conn;
        try {
            conn = dataSource.getConnection();
        } catch (SQLException e) {
            throw new BarrierException("no connection for barrier " + key + ": " + e.getMessage(), e);
        }
        try (conn) {
            boolean autoCommit = conn.getAutoCommit();
            if (autoCommit) {
                conn.setAutoCommit(false);
            }
            try {
                return runInTransaction(conn, key, work, now);
            } finally {
                if (autoCommit) {
                    LocalTransactions.restoreAutoCommit(conn, "barrier " + key);
                }
            }
        } catch (SQLException e) {
            // getAutoCommit, setAutoCommit or close failed: the transaction never started or is already over.
            throw new BarrierException("barrier " + key + " failed: " + e.getMessage(), e);
        }
    }

    private BarrierResult runInTransaction(Connection conn, BarrierKey key, BranchWork work, Instant now) {
        BarrierResult result;
        boolean committing = false;
        try {
            Decision decision = decide(conn, key, now);
            result = decision.result();
            if (result == BarrierResult.APPLIED) {
                TransactionGuard.runWork(conn, dialect, key, decision.inserted(), work);
            }
            if (result == BarrierResult.RETRY) {
                conn.rollback();
            } else {
                committing = true;
                conn.commit();
            }
        } catch (Throwable t) {
            LocalTransactions.rollbackQuietly(conn, "barrier " + key, t);
            return failed(key, t, committing);
        }
        log.debug("barrier {}: {}", key, result);
        return result;
    }

    /**
     * Which result a call gets, APPLIED meaning "run the business code", and what the insert of the operation's
     * row returned ({@link BarrierDialect#insertIfAbsent}; null if it inserted nothing).
     */
    private record Decision(BarrierResult result, String inserted) {
        Decision(BarrierResult result) {
            this(result, null);
        }
    }

    /** Steps 1 to 4 of the algorithm. */
    private Decision decide(Connection conn, BarrierKey key, Instant now) throws SQLException {
        String gid = key.gid();
        String branchId = key.branchId();
        BranchOp op = key.op();
        boolean cancelTookTryRow = op == BranchOp.CANCEL && dialect.insertIfAbsent(conn, gid, branchId,
                BranchOp.TRY.wire(), BranchOp.CANCEL.wire(), now) != null;
        String inserted = dialect.insertIfAbsent(conn, gid, branchId, op.wire(), op.wire(), now);
        if (inserted == null) {
            if (op != BranchOp.TRY) {
                return new Decision(BarrierResult.DUPLICATE);
            }
            // The try row is there: written by an earlier Try (duplicate) or by a Cancel (this Try hangs).
            String origin = originOf(conn, gid, branchId, BranchOp.TRY);
            if (origin == null) {
                // The row conflicted yet is not visible: a snapshot older than the row under REPEATABLE READ.
                // A new transaction will see it.
                log.debug("barrier {}: try row conflicts but is not visible to this transaction", key);
                return new Decision(BarrierResult.RETRY);
            }
            return new Decision(BranchOp.CANCEL.wire().equals(origin) ? BarrierResult.SUSPENDED
                    : BarrierResult.DUPLICATE);
        }
        return new Decision(cancelTookTryRow ? BarrierResult.EMPTY_COMPENSATION : BarrierResult.APPLIED, inserted);
    }

    private String originOf(Connection conn, String gid, String branchId, BranchOp op) throws SQLException {
        return dialect.originOf(conn, gid, branchId, op.wire());
    }

    /** Maps what went wrong, after the rollback, to a result or the exception to throw. */
    private BarrierResult failed(BarrierKey key, Throwable t, boolean committing) {
        if (t instanceof BrokenTransactionException broken) {
            // A fault of the business code, retried for ever if nobody looks: say so where operators look.
            log.warn(broken.getMessage());
            throw broken;
        }
        BranchRefusedException refusal = DatabaseKind.causeOf(t, BranchRefusedException.class);
        if (refusal != null) {
            if (key.op() != BranchOp.TRY) {
                log.warn("barrier {}: business code refused a {}; TCC requires it to succeed, the coordinator"
                        + " will retry: {}", key, key.op().wire(), refusal.getMessage());
            } else {
                log.debug("barrier {}: refused: {}", key, refusal.getMessage());
            }
            return BarrierResult.REFUSED;
        }
        if (dialect.isRetryable(t)) {
            log.debug("barrier {}: lost a race, rolled back: {}", key, t.toString());
            return BarrierResult.RETRY;
        }
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new BarrierException("barrier " + key + (committing
                ? " failed at commit, outcome unknown (a retry will find out): "
                : " failed and was rolled back: ") + t, t);
    }

    /**
     * Creates the barrier table and its index unless they exist, running
     * {@link BarrierDialect#schemaResource()}. Safe to call at every start.
     *
     * @throws BarrierException when a statement fails
     */
    public void createSchemaIfMissing() {
        try (Connection conn = dataSource.getConnection()) {
            SchemaScript.apply(conn, Barrier.class, dialect.schemaResource());
        } catch (SQLException e) {
            throw new BarrierException("cannot create " + TABLE + " (" + dialect + "): " + e.getMessage(), e);
        }
    }

    static List<String> schemaStatements(BarrierDialect dialect) {
        return SchemaScript.statements(Barrier.class, dialect.schemaResource());
    }

    /**
     * Deletes barrier rows created before {@code cutoff}, in batches of {@value #DELETE_BATCH}, each in its own
     * short transaction.
     *
     * <p>Barrier rows are the participant's memory of what happened to each branch. A row deleted while the
     * coordinator may still retry the call, or while a delayed Try may still arrive, is forgotten: the retry
     * runs the business code again, the late Try reserves resources no Cancel will release. Keep rows well
     * beyond the longest a transaction can stay unfinished (its timeout plus the longest coordinator or
     * participant outage you plan for); days, not minutes.
     *
     * @return how many rows were deleted
     * @throws IllegalArgumentException when {@code cutoff} is after the clock's now: surely a mistake
     * @throws BarrierException when a statement fails (batches already deleted stay deleted)
     */
    public long deleteOlderThan(Instant cutoff) {
        Objects.requireNonNull(cutoff, "cutoff");
        Instant now = clock.instant();
        if (cutoff.isAfter(now)) {
            throw new IllegalArgumentException("cutoff " + cutoff + " is after now (" + now
                    + "): that would delete rows of transactions still running");
        }
        long total = 0;
        try (Connection conn = dataSource.getConnection()) {
            boolean autoCommit = conn.getAutoCommit();
            if (!autoCommit) {
                conn.setAutoCommit(true);
            }
            try (PreparedStatement ps = conn.prepareStatement(dialect.deleteBatchSql())) {
                dialect.bindTime(ps, 1, cutoff);
                int n;
                do {
                    n = ps.executeUpdate();
                    total += n;
                } while (n >= DELETE_BATCH);
            } finally {
                if (!autoCommit) {
                    conn.setAutoCommit(false);
                }
            }
        } catch (SQLException e) {
            throw new BarrierException("deleting " + TABLE + " rows older than " + cutoff + " failed after "
                    + total + " rows: " + e.getMessage(), e);
        }
        log.info("deleted {} barrier rows older than {}", total, cutoff);
        return total;
    }
}
