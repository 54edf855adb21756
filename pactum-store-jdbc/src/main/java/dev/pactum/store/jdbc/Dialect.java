package dev.pactum.store.jdbc;

import java.sql.SQLException;

/**
 * What differs between the databases, and nothing else: the SQL itself is shared, because PostgreSQL, MariaDB
 * 10.6+ and MySQL 8 all understand {@code LIMIT ?} and {@code FOR UPDATE SKIP LOCKED}.
 */
enum Dialect {
    POSTGRESQL("schema-postgresql.sql") {
        @Override
        String insertUnlessPresent(String insert, String keyColumns) {
            // No exception on a taken key: PostgreSQL would abort the surrounding transaction and log an ERROR.
            return insert + " ON CONFLICT (" + keyColumns + ") DO NOTHING";
        }

        @Override
        boolean isDuplicateKey(SQLException e) {
            return "23505".equals(e.getSQLState()); // unique_violation
        }

        @Override
        String laneTailIncrement() {
            return "INSERT INTO pactum_lane_tail (lane, last_seq) VALUES (?, 1)"
                    + " ON CONFLICT (lane) DO UPDATE SET last_seq = pactum_lane_tail.last_seq + 1";
        }

        @Override
        boolean isDeadlock(SQLException e) {
            return "40P01".equals(e.getSQLState());
        }

        @Override
        String lazyCommit() {
            // The commit returns before its WAL record is flushed; the next synchronous commit, of any session,
            // flushes it with its own (the WAL is sequential). A server crash loses at most the last few hundred
            // milliseconds of such commits, never one that a synchronous commit came after.
            return "SET LOCAL synchronous_commit TO OFF";
        }

        @Override
        String schemaLock() {
            // Concurrent CREATE TABLE IF NOT EXISTS can still collide in PostgreSQL's catalog; DDL is transactional
            // there, so a transaction-scoped advisory lock serializes coordinators that start together.
            return "SELECT pg_advisory_xact_lock(7061637475)";
        }
    },

    MYSQL("schema-mysql.sql") {
        @Override
        String insertUnlessPresent(String insert, String keyColumns) {
            // Not INSERT IGNORE: it also turns truncation and other errors into warnings. Not ON DUPLICATE KEY
            // UPDATE: with the drivers' default "found rows" counting, a no-op update counts 1, like an insert.
            // A plain insert fails with error 1062, which the store reads as "already there". The MariaDB driver
            // logs that error at WARN; it happens only when a client begins a gid again, which is rare.
            return insert;
        }

        @Override
        boolean isDuplicateKey(SQLException e) {
            return e.getErrorCode() == 1062; // ER_DUP_ENTRY; SQLState 23000 alone also covers foreign key errors
        }

        @Override
        String laneTailIncrement() {
            return "INSERT INTO pactum_lane_tail (lane, last_seq) VALUES (?, 1)"
                    + " ON DUPLICATE KEY UPDATE last_seq = last_seq + 1";
        }

        @Override
        boolean isDeadlock(SQLException e) {
            return e.getErrorCode() == 1213; // ER_LOCK_DEADLOCK: two first decisions of a new lane can meet so
        }

        @Override
        String lazyCommit() {
            // InnoDB's flush at commit (innodb_flush_log_at_trx_commit) is a global setting, not one a session
            // may lower for its own transaction: every commit here is as durable as the server is configured.
            return null;
        }

        @Override
        String schemaLock() {
            // DDL commits implicitly here, so no transaction could hold a lock across it; CREATE TABLE IF NOT
            // EXISTS is safe under MySQL's metadata lock anyway.
            return null;
        }
    };

    private final String schemaResource;

    Dialect(String schemaResource) {
        this.schemaResource = schemaResource;
    }

    /** The schema script, a resource next to this class. */
    String schemaResource() {
        return schemaResource;
    }

    /** {@code insert} made to insert nothing, rather than fail, when {@code keyColumns} are taken (where possible). */
    abstract String insertUnlessPresent(String insert, String keyColumns);

    /** True if {@code e} says a primary or unique key is taken. */
    abstract boolean isDuplicateKey(SQLException e);

    /** A statement to run first in the schema transaction so that concurrent starts do not collide, or null. */
    abstract String schemaLock();

    /**
     * A statement that lets the current transaction commit without waiting for its log to reach the disk, or null
     * where the database has none. Used only for writes a restart rebuilds (docs/core.md, "What is durable when").
     */
    abstract String lazyCommit();

    /** Increments a lane's last seq, creating the lane at 1; its row stays locked until the transaction ends. */
    abstract String laneTailIncrement();

    /** The database broke a deadlock by rolling this transaction back: running it again is safe. */
    abstract boolean isDeadlock(SQLException e);

    /** The dialect of a JDBC URL; throws naming the URL's scheme if none fits. */
    static Dialect fromUrl(String url) {
        return switch (scheme(url)) {
            case "postgresql" -> POSTGRESQL;
            case "mariadb", "mysql" -> MYSQL;
            default -> throw new IllegalArgumentException("unsupported JDBC URL '" + JdbcStoreConfig.redact(url)
                    + "': expected jdbc:postgresql:, jdbc:mariadb: or jdbc:mysql:");
        };
    }

    /** "postgresql" for {@code jdbc:postgresql://...}; empty if the URL does not start with {@code jdbc:x:}. */
    static String scheme(String url) {
        if (url == null || !url.startsWith("jdbc:")) {
            return "";
        }
        int end = url.indexOf(':', 5);
        return end < 0 ? "" : url.substring(5, end);
    }
}
