package dev.pactum.client.inbox;

import dev.pactum.client.jdbc.DatabaseKind;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/**
 * What differs between the databases an inbox runs on: inserting a row only if absent, storing a time, deleting
 * in batches, and which errors mean "a concurrent transaction got in the way, deliver again". The algorithm is
 * {@link Inbox}'s; a dialect only says how to express its steps.
 */
public enum InboxDialect {
    /** PostgreSQL 9.5 or newer: {@code INSERT ... ON CONFLICT DO NOTHING} (a failed insert would abort the transaction). */
    POSTGRESQL("inbox-postgresql.sql", " ON CONFLICT DO NOTHING", "INSERT INTO ",
            "DELETE FROM " + Inbox.TABLE + " WHERE ctid = ANY(ARRAY(SELECT ctid FROM " + Inbox.TABLE
                    + " WHERE applied_at < ? LIMIT " + Inbox.DELETE_BATCH + "))"),
    /** MySQL 8 and MariaDB 10.5 or newer (InnoDB): {@code INSERT IGNORE}; values are checked first, so IGNORE hides no truncation. */
    MYSQL("inbox-mysql.sql", "", "INSERT IGNORE INTO ",
            "DELETE FROM " + Inbox.TABLE + " WHERE applied_at < ? LIMIT " + Inbox.DELETE_BATCH),
    /** H2 2.x: a plain insert whose duplicate-key error (23505) is caught; H2 undoes only that statement. */
    H2("inbox-h2.sql", "", "INSERT INTO ",
            "DELETE FROM " + Inbox.TABLE + " WHERE applied_at < ? FETCH FIRST " + Inbox.DELETE_BATCH + " ROWS ONLY");

    private final String schemaResource;
    private final String insertSql;
    private final String deleteBatchSql;

    InboxDialect(String schemaResource, String insertSuffix, String insertPrefix, String deleteBatchSql) {
        this.schemaResource = schemaResource;
        this.insertSql = insertPrefix + Inbox.TABLE + " (consumer, gid, branch_id, attempt, applied_at)"
                + " VALUES (?, ?, ?, ?, ?)" + insertSuffix;
        this.deleteBatchSql = deleteBatchSql;
    }

    /**
     * The dialect for a JDBC product name ({@link java.sql.DatabaseMetaData#getDatabaseProductName()}).
     *
     * @throws IllegalArgumentException for a database the inbox does not support, naming it
     */
    public static InboxDialect fromProductName(String productName) {
        DatabaseKind kind = DatabaseKind.of(productName);
        if (kind == null) {
            throw new IllegalArgumentException("no inbox dialect for database '" + productName
                    + "'; supported: PostgreSQL, MySQL, MariaDB, H2");
        }
        return valueOf(kind.name());
    }

    /** Class-path resource beside {@link Inbox} holding the idempotent schema script. */
    public String schemaResource() {
        return schemaResource;
    }

    String deleteBatchSql() {
        return deleteBatchSql;
    }

    /**
     * Inserts the inbox row unless one with the same key exists. A concurrent insert of the same key not yet
     * committed makes this wait: then {@code false} if that transaction commits, the row inserted if it rolls back.
     *
     * @return whether this call inserted the row
     */
    boolean insertIfAbsent(Connection conn, String consumer, String gid, String branchId, String attempt, Instant now)
            throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement(insertSql)) {
            ps.setString(1, consumer);
            ps.setString(2, gid);
            ps.setString(3, branchId);
            ps.setString(4, attempt);
            bindTime(ps, 5, now);
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            if (this == H2 && "23505".equals(e.getSQLState())) {
                return false;
            }
            throw e;
        }
    }

    /** Binds an instant exactly, whatever the JVM and session time zones. */
    void bindTime(PreparedStatement ps, int index, Instant t) throws SQLException {
        Instant micros = t.truncatedTo(ChronoUnit.MICROS);
        if (this == MYSQL) {
            ps.setObject(index, LocalDateTime.ofInstant(micros, ZoneOffset.UTC));
        } else {
            ps.setObject(index, OffsetDateTime.ofInstant(micros, ZoneOffset.UTC));
        }
    }

    /** Whether the transaction lost a race and a new delivery may simply try again; searches the causes. */
    boolean isRetryable(Throwable t) {
        return DatabaseKind.valueOf(name()).lostRace(t);
    }

    /** PostgreSQL's "current transaction is aborted, commands ignored until end of transaction block". */
    boolean isAborted(SQLException e) {
        return this == POSTGRESQL && "25P02".equals(e.getSQLState());
    }
}
