package dev.pactum.client.barrier;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/**
 * What differs between the databases a barrier runs on: how to insert a row only if it is absent, how to
 * store a time, how to delete in batches, and which errors mean "a concurrent transaction got in the way,
 * call again".
 *
 * <p>The algorithm itself lives in {@link Barrier}; a dialect only says how to express its steps.
 */
public enum BarrierDialect {
    /** PostgreSQL 9.5 or newer: {@code INSERT ... ON CONFLICT DO NOTHING}. */
    POSTGRESQL("barrier-postgresql.sql",
            "INSERT INTO " + Barrier.TABLE + " (gid, branch_id, op, origin_op, created_at) VALUES (?, ?, ?, ?, ?)"
                    + " ON CONFLICT DO NOTHING",
            "",
            // PostgreSQL has no DELETE ... LIMIT; the physical row id picks the batch.
            "DELETE FROM " + Barrier.TABLE + " WHERE ctid = ANY(ARRAY(SELECT ctid FROM " + Barrier.TABLE
                    + " WHERE created_at < ? LIMIT " + Barrier.DELETE_BATCH + "))"),

    /**
     * MySQL 8 and MariaDB 10.5 or newer (InnoDB): {@code INSERT IGNORE}. IGNORE also turns a too-long or
     * NULL value into a warning, which would silently merge distinct ids; {@link BarrierKey} rejects such
     * values before any SQL runs.
     */
    MYSQL("barrier-mysql.sql",
            "INSERT IGNORE INTO " + Barrier.TABLE + " (gid, branch_id, op, origin_op, created_at) VALUES (?, ?, ?, ?, ?)",
            // A locking read returns the latest committed row even when a REPEATABLE READ snapshot is older.
            " LOCK IN SHARE MODE",
            "DELETE FROM " + Barrier.TABLE + " WHERE created_at < ? LIMIT " + Barrier.DELETE_BATCH),

    /**
     * H2 2.x: a plain insert whose duplicate-key error (SQLState 23505) is caught. H2 undoes only the failed
     * statement, so the transaction stays usable; PostgreSQL would abort it, hence its own form.
     */
    H2("barrier-h2.sql",
            "INSERT INTO " + Barrier.TABLE + " (gid, branch_id, op, origin_op, created_at) VALUES (?, ?, ?, ?, ?)",
            "",
            "DELETE FROM " + Barrier.TABLE + " WHERE created_at < ? FETCH FIRST " + Barrier.DELETE_BATCH
                    + " ROWS ONLY");

    private final String schemaResource;
    private final String insertSql;
    private final String selectOriginSql;
    private final String deleteBatchSql;

    BarrierDialect(String schemaResource, String insertSql, String lockingSuffix, String deleteBatchSql) {
        this.schemaResource = schemaResource;
        this.insertSql = insertSql;
        this.selectOriginSql = "SELECT origin_op FROM " + Barrier.TABLE + " WHERE gid = ? AND branch_id = ? AND op = ?"
                + lockingSuffix;
        this.deleteBatchSql = deleteBatchSql;
    }

    /**
     * The dialect for a JDBC product name as reported by {@link java.sql.DatabaseMetaData#getDatabaseProductName()}.
     *
     * @throws IllegalArgumentException for a database the barrier does not support, naming it
     */
    public static BarrierDialect fromProductName(String productName) {
        String p = productName == null ? "" : productName.toLowerCase(Locale.ROOT);
        if (p.contains("postgresql")) {
            return POSTGRESQL;
        }
        if (p.contains("mariadb") || p.contains("mysql")) {
            return MYSQL;
        }
        if (p.equals("h2")) {
            return H2;
        }
        throw new IllegalArgumentException("no barrier dialect for database '" + productName
                + "'; supported: PostgreSQL, MySQL, MariaDB, H2");
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
     * call wait; it returns {@code false} if that transaction commits and inserts the row if it rolls back.
     *
     * @return whether this call inserted the row
     */
    boolean insertIfAbsent(Connection conn, String gid, String branchId, String op, String originOp, Instant now)
            throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement(insertSql)) {
            ps.setString(1, gid);
            ps.setString(2, branchId);
            ps.setString(3, op);
            ps.setString(4, originOp);
            bindTime(ps, 5, now);
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            if (this == H2 && "23505".equals(e.getSQLState())) {
                return false;
            }
            throw e;
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
    boolean isRetryable(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof SQLException e && isRetryable(e)) {
                return true;
            }
        }
        return false;
    }

    private boolean isRetryable(SQLException e) {
        String state = e.getSQLState();
        if ("40001".equals(state)) { // serialization failure; also the deadlock state of MySQL and H2
            return true;
        }
        return switch (this) {
            // 40P01 deadlock_detected, 55P03 lock_not_available (lock_timeout)
            case POSTGRESQL -> "40P01".equals(state) || "55P03".equals(state);
            // 1213 deadlock, 1205 lock wait timeout (SQLState HY000, so the code is what tells)
            case MYSQL -> e.getErrorCode() == 1213 || e.getErrorCode() == 1205;
            // 50200 lock timeout, 90131 concurrent update of the same row, 40001 deadlock
            case H2 -> e.getErrorCode() == 50200 || e.getErrorCode() == 90131 || e.getErrorCode() == 40001;
        };
    }
}
