package dev.pactum.client.barrier;

import dev.pactum.client.jdbc.DatabaseKind;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * What differs between the databases a barrier runs on: how to insert a row only if it is absent, how to
 * store a time, how to delete in batches, which errors mean "a concurrent transaction got in the way,
 * call again", and how to prove before the commit that the local transaction is still the one that wrote the
 * barrier row ({@link #markTransaction}, {@link #isStillMarked}).
 *
 * <p>The algorithm itself lives in {@link Barrier}; a dialect only says how to express its steps.
 */
public enum BarrierDialect {
    /**
     * PostgreSQL 9.5 or newer: {@code INSERT ... ON CONFLICT DO NOTHING}, returning the inserting transaction's
     * id (64 bits, never reused) as the mark of the barrier's transaction.
     */
    POSTGRESQL("barrier-postgresql.sql",
            "INSERT INTO " + Barrier.TABLE + " (gid, branch_id, op, origin_op, created_at) VALUES (?, ?, ?, ?, ?)"
                    + " ON CONFLICT DO NOTHING RETURNING txid_current()",
            "",
            // PostgreSQL has no DELETE ... LIMIT; the physical row id picks the batch.
            "DELETE FROM " + Barrier.TABLE + " WHERE ctid = ANY(ARRAY(SELECT ctid FROM " + Barrier.TABLE
                    + " WHERE created_at < ? LIMIT " + Barrier.DELETE_BATCH + "))",
            null,
            // After a COMMIT or ROLLBACK statement the new transaction may have no id yet; asking must not
            // give it one (txid_current() would).
            "SELECT txid_current_if_assigned()" + BarrierDialect.BY_KEY),

    /**
     * MySQL 8 and MariaDB 10.5 or newer (InnoDB): {@code INSERT IGNORE}. IGNORE also turns a too-long or
     * NULL value into a warning, which would silently merge distinct ids; {@link BarrierKey} rejects such
     * values before any SQL runs. Neither gives its transaction id cheaply ({@code information_schema.innodb_trx}
     * is a cache refreshed at most every 0.1 s), so a savepoint marks the barrier's transaction: every commit or
     * rollback destroys it, the server's own included.
     */
    MYSQL("barrier-mysql.sql",
            "INSERT IGNORE INTO " + Barrier.TABLE + " (gid, branch_id, op, origin_op, created_at) VALUES (?, ?, ?, ?, ?)",
            // A locking read returns the latest committed row even when a REPEATABLE READ snapshot is older.
            " LOCK IN SHARE MODE",
            "DELETE FROM " + Barrier.TABLE + " WHERE created_at < ? LIMIT " + Barrier.DELETE_BATCH,
            "SAVEPOINT " + BarrierDialect.SAVEPOINT,
            "RELEASE SAVEPOINT " + BarrierDialect.SAVEPOINT),

    /**
     * H2 2.x: a plain insert whose duplicate-key error (SQLState 23505) is caught. H2 undoes only the failed
     * statement, so the transaction stays usable; PostgreSQL would abort it, hence its own form. The insert is
     * read through a data change delta table to return {@code TRANSACTION_ID()}, the transaction's 64-bit
     * sequence number, as the mark.
     */
    H2("barrier-h2.sql",
            "SELECT TRANSACTION_ID() FROM FINAL TABLE (INSERT INTO " + Barrier.TABLE
                    + " (gid, branch_id, op, origin_op, created_at) VALUES (?, ?, ?, ?, ?))",
            "",
            "DELETE FROM " + Barrier.TABLE + " WHERE created_at < ? FETCH FIRST " + Barrier.DELETE_BATCH
                    + " ROWS ONLY",
            null,
            "SELECT TRANSACTION_ID()" + BarrierDialect.BY_KEY);

    /** The savepoint that marks the barrier's transaction on MySQL and MariaDB. */
    static final String SAVEPOINT = "pactum_barrier";

    // Constant expressions, so the constants above may name them before their declaration.
    private static final String BY_KEY = " FROM " + Barrier.TABLE + " WHERE gid = ? AND branch_id = ? AND op = ?";

    private final String schemaResource;
    private final String insertSql;
    private final String selectOriginSql;
    private final String deleteBatchSql;
    /** The statement that marks the transaction; null where the insert returns the mark itself. */
    private final String markSql;
    private final String checkMarkSql;

    BarrierDialect(String schemaResource, String insertSql, String lockingSuffix, String deleteBatchSql,
            String markSql, String checkMarkSql) {
        this.schemaResource = schemaResource;
        this.insertSql = insertSql;
        this.selectOriginSql = "SELECT origin_op" + BY_KEY + lockingSuffix;
        this.deleteBatchSql = deleteBatchSql;
        this.markSql = markSql;
        this.checkMarkSql = checkMarkSql;
    }

    /**
     * The dialect for a JDBC product name as reported by {@link java.sql.DatabaseMetaData#getDatabaseProductName()}.
     *
     * @throws IllegalArgumentException for a database the barrier does not support, naming it
     */
    public static BarrierDialect fromProductName(String productName) {
        DatabaseKind kind = DatabaseKind.of(productName);
        if (kind == null) {
            throw new IllegalArgumentException("no barrier dialect for database '" + productName
                    + "'; supported: PostgreSQL, MySQL, MariaDB, H2");
        }
        return valueOf(kind.name());
    }

    /** The dialect of the database behind a connection, from its metadata. */
    public static BarrierDialect detect(Connection conn) throws SQLException {
        return fromProductName(conn.getMetaData().getDatabaseProductName());
    }

    /** Name of the class-path resource (beside this class) holding the idempotent schema script. */
    public String schemaResource() {
        return schemaResource;
    }

    String selectOriginSql() {
        return selectOriginSql;
    }

    String deleteBatchSql() {
        return deleteBatchSql;
    }

    /**
     * Inserts a barrier row unless one with the same key exists.
     *
     * <p>On all three databases a concurrent insert of the same key that is not yet committed makes this
     * call wait; it finds the row there if that transaction commits and inserts the row if it rolls back.
     *
     * @return null when the row was there; otherwise what {@link #markTransaction} needs: the inserting
     *         transaction's id on PostgreSQL and H2, an empty string on MySQL
     */
    public String insertIfAbsent(Connection conn, String gid, String branchId, String op, String originOp, Instant now)
            throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement(insertSql)) {
            ps.setString(1, gid);
            ps.setString(2, branchId);
            ps.setString(3, op);
            ps.setString(4, originOp);
            bindTime(ps, 5, now);
            if (this == MYSQL) {
                return ps.executeUpdate() == 1 ? "" : null;
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Objects.requireNonNull(rs.getString(1), "no transaction id from the insert") : null;
            }
        } catch (SQLException e) {
            if (this == H2 && "23505".equals(e.getSQLState())) {
                return null;
            }
            throw e;
        }
    }

    /**
     * Marks the local transaction open on {@code conn}, once the barrier row is written and before the business
     * code runs; {@link #isStillMarked} later tells whether the same transaction is still open. On PostgreSQL and
     * H2 the mark is the transaction id the insert returned (no statement); on MySQL and MariaDB a savepoint.
     *
     * @param inserted what {@link #insertIfAbsent} returned for the operation's row
     * @return the mark, to pass to {@link #isStillMarked}
     */
    public String markTransaction(Connection conn, String inserted) throws SQLException {
        if (markSql == null) {
            return Objects.requireNonNull(inserted, "inserted");
        }
        try (Statement st = conn.createStatement()) {
            st.execute(markSql);
            return SAVEPOINT;
        }
    }

    /**
     * Whether the local transaction open on {@code conn} is still the one {@link #markTransaction marked} and its
     * barrier row for {@code key} is still there. False when that transaction has ended: rolled back by the
     * database (a deadlock on InnoDB or H2), or committed or rolled back by a statement of the business code; a
     * new transaction may have started since. One statement: on PostgreSQL and H2 a primary-key read of the row
     * together with the current transaction id, on MySQL the release of the savepoint.
     *
     * @throws SQLException when the transaction can run no statement: on PostgreSQL, SQLState 25P02 after a
     *                      failed statement ({@link #isAborted}); or any other failure of the check itself
     */
    boolean isStillMarked(Connection conn, BarrierKey key, String mark) throws SQLException {
        return isStillMarked(conn, key.gid(), key.branchId(), key.op().wire(), mark);
    }

    /**
     * {@link #isStillMarked(Connection, BarrierKey, String)} for a row whose op is not a TCC operation (the message
     * producer's, {@code dev.pactum.client.msg}).
     */
    public boolean isStillMarked(Connection conn, String gid, String branchId, String op, String mark)
            throws SQLException {
        if (this == MYSQL) {
            try (Statement st = conn.createStatement()) {
                st.execute(checkMarkSql);
                return true;
            } catch (SQLException e) {
                if (e.getErrorCode() == 1305) { // ER_SP_DOES_NOT_EXIST: "SAVEPOINT ... does not exist"
                    return false;
                }
                throw e;
            }
        }
        try (PreparedStatement ps = conn.prepareStatement(checkMarkSql)) {
            ps.setString(1, gid);
            ps.setString(2, branchId);
            ps.setString(3, op);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && mark.equals(rs.getString(1));
            }
        }
    }

    /**
     * Whether an error says the transaction is aborted and will run no statement until rolled back: PostgreSQL
     * after any failed statement (25P02, in_failed_sql_transaction). Its driver's {@code commit()} then returns
     * normally and the server rolls back.
     */
    public boolean isAborted(SQLException e) {
        return this == POSTGRESQL && "25P02".equals(e.getSQLState());
    }

    /**
     * The {@code origin_op} of the row {@code (gid, branchId, op)}, or null when no row is visible. On MySQL and
     * MariaDB a locking read, so that it returns the latest committed row even under an older REPEATABLE READ
     * snapshot.
     */
    public String originOf(Connection conn, String gid, String branchId, String op) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement(selectOriginSql)) {
            ps.setString(1, gid);
            ps.setString(2, branchId);
            ps.setString(3, op);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /**
     * Bounds how long the statements of the transaction open on {@code conn} wait for a row lock, and returns what
     * undoes it once that transaction has ended ({@link #restoreLockTimeout}; null when nothing needs undoing).
     * PostgreSQL: {@code SET LOCAL lock_timeout}, which ends with the transaction. MySQL and MariaDB: the session's
     * {@code innodb_lock_wait_timeout} (whole seconds, at least 1), the old value returned. H2: the session's
     * {@code LOCK_TIMEOUT}, the old value returned. A wait that runs out fails with an error {@link #isRetryable}
     * accepts.
     */
    public String boundLockWait(Connection conn, Duration timeout) throws SQLException {
        long millis = Math.max(1, timeout.toMillis());
        try (Statement st = conn.createStatement()) {
            switch (this) {
                case POSTGRESQL -> {
                    st.execute("SET LOCAL lock_timeout = " + millis);
                    return null;
                }
                case MYSQL -> {
                    String old = single(st, "SELECT @@SESSION.innodb_lock_wait_timeout");
                    st.execute("SET SESSION innodb_lock_wait_timeout = " + Math.max(1, (millis + 999) / 1000));
                    return old;
                }
                case H2 -> {
                    String old = single(st, "SELECT LOCK_TIMEOUT()");
                    st.execute("SET LOCK_TIMEOUT " + millis);
                    return old;
                }
                default -> throw new IllegalStateException(name());
            }
        }
    }

    /** Undoes {@link #boundLockWait} on a session whose transaction has ended. */
    public void restoreLockTimeout(Connection conn, String old) throws SQLException {
        if (old == null) {
            return;
        }
        long value = Long.parseLong(old.trim()); // read from the database itself: a number, nothing to escape
        try (Statement st = conn.createStatement()) {
            st.execute(this == MYSQL ? "SET SESSION innodb_lock_wait_timeout = " + value : "SET LOCK_TIMEOUT " + value);
        }
    }

    private static String single(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            if (!rs.next()) {
                throw new SQLException("no answer to " + sql);
            }
            return rs.getString(1);
        }
    }

    /** Binds an instant to a {@code created_at} parameter, exactly, whatever the JVM and session time zones. */
    void bindTime(PreparedStatement ps, int index, Instant t) throws SQLException {
        Instant micros = t.truncatedTo(ChronoUnit.MICROS); // the finest precision all three store
        switch (this) {
            case POSTGRESQL, H2 -> ps.setObject(index, OffsetDateTime.ofInstant(micros, ZoneOffset.UTC));
            case MYSQL -> ps.setObject(index, LocalDateTime.ofInstant(micros, ZoneOffset.UTC));
        }
    }

    /**
     * Whether an error means the transaction lost a race (deadlock, serialization failure, lock timeout)
     * and may simply be run again. The whole chain of causes is searched, since business code may wrap.
     */
    public boolean isRetryable(Throwable t) {
        return DatabaseKind.valueOf(name()).lostRace(t);
    }
}
