package dev.pactum.client.xa;

import dev.pactum.client.jdbc.DatabaseKind;

import javax.transaction.xa.XAException;
import javax.transaction.xa.Xid;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/** What differs between the databases an {@link XaParticipant} supports. Facts: docs/xa-participant.md. */
enum XaDialect {
    /** PostgreSQL through {@code org.postgresql.xa.PGXADataSource}. */
    POSTGRESQL {
        @Override
        void checkReady(Connection conn) throws SQLException {
            try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SHOW max_prepared_transactions")) {
                int max = rs.next() ? Integer.parseInt(rs.getString(1).trim()) : 0;
                if (max <= 0) {
                    throw new IllegalStateException("PostgreSQL has max_prepared_transactions = " + max
                            + ", which forbids PREPARE TRANSACTION: every branch would vote no. Set it to at least"
                            + " the number of branches that can be prepared at once (ALTER SYSTEM SET"
                            + " max_prepared_transactions = 64, then restart PostgreSQL)");
                }
            }
        }

        /**
         * PostgreSQL answers {@code PREPARE TRANSACTION} in a transaction that an earlier error aborted with
         * {@code ROLLBACK} and no error, and the driver then reports XA_OK: the branch would vote yes with
         * nothing prepared. pgjdbc knows before the prepare: the server's last answer said the transaction failed
         * ({@link PgTransactionState}), and that costs no round trip. Another driver: unknown, see
         * {@link #confirmPrepared}.
         */
        @Override
        Boolean abortedBeforePrepare(Connection conn) throws SQLException {
            return PgTransactionState.failed(conn);
        }

        /**
         * Only when {@link #abortedBeforePrepare} could not tell (a driver other than pgjdbc, or a work that closed
         * its handle): look for the prepared transaction itself, one more round trip (an indexed read of a small
         * view).
         */
        @Override
        boolean confirmPrepared(Connection conn, Xid xid) throws SQLException {
            XaBranchId b = XaIds.branchOf(xid).orElseThrow();
            try (PreparedStatement ps = conn.prepareStatement("SELECT 1 FROM pg_prepared_xacts WHERE gid = ?")) {
                ps.setString(1, XaIds.postgresGid(b.gid(), b.branchId()));
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        }

        /**
         * Session-wide {@code lock_timeout} and {@code statement_timeout}: a lock wait past the bound fails with
         * 55P03, a statement past it with 57014, and PostgreSQL aborts the transaction either way.
         */
        @Override
        void boundWork(Connection conn, Duration bound) throws SQLException {
            String ms = bound.toMillis() + "ms";
            try (PreparedStatement ps = conn.prepareStatement(
                    "SELECT set_config('lock_timeout', ?, false), set_config('statement_timeout', ?, false)")) {
                ps.setString(1, ms);
                ps.setString(2, ms);
                ps.executeQuery().close();
            }
        }

        @Override
        boolean isRetryable(SQLException e) {
            // 40001 serialization failure, 40P01 deadlock, 55P03 lock_not_available (lock_timeout),
            // 57014 query_canceled (statement_timeout, or a cancel request)
            String s = e.getSQLState();
            return "40001".equals(s) || "40P01".equals(s) || "55P03".equals(s) || "57014".equals(s);
        }
    },

    /** MariaDB 10.5 or newer and MySQL 8 (InnoDB), through {@code org.mariadb.jdbc.MariaDbDataSource}. */
    MYSQL {
        /**
         * While the session that prepared a branch lives, any other session's XA COMMIT or XA ROLLBACK of it
         * answers XAER_NOTA, and the preparing session cannot start another XA transaction until it finishes this
         * one: phase 2 belongs on the preparing session.
         */
        @Override
        boolean finishesOnPreparingSession() {
            return true;
        }

        /**
         * Session-wide {@code innodb_lock_wait_timeout} (whole seconds, rounded up: a lock wait past it fails
         * with 1205) and MariaDB's {@code max_statement_time} (a statement past it fails with 1969). MySQL has no
         * {@code max_statement_time} (unknown variable, 1193): there only lock waits are bounded. Neither error
         * rolls back more than the statement; the participant then rolls the branch back.
         */
        @Override
        void boundWork(Connection conn, Duration bound) throws SQLException {
            long seconds = Math.max(1, (bound.toMillis() + 999) / 1000);
            try (Statement st = conn.createStatement()) {
                st.execute("SET SESSION innodb_lock_wait_timeout = " + seconds);
                try {
                    st.execute("SET SESSION max_statement_time = " + bound.toMillis() / 1000.0);
                } catch (SQLException e) {
                    if (e.getErrorCode() != 1193) {
                        throw e;
                    }
                }
            }
        }

        @Override
        boolean isRetryable(SQLException e) {
            // 1213 deadlock, 1205 lock wait timeout, 1614 XA_RBDEADLOCK, 1613 XA_RBTIMEOUT,
            // 1969 max_statement_time exceeded (MariaDB), 3024 max_execution_time exceeded (MySQL)
            int code = e.getErrorCode();
            return "40001".equals(e.getSQLState()) || code == 1213 || code == 1205 || code == 1614 || code == 1613
                    || code == 1969 || code == 3024;
        }
    };

    /**
     * The dialect for a JDBC product name ({@link java.sql.DatabaseMetaData#getDatabaseProductName()}).
     *
     * @throws IllegalArgumentException for a database whose XA support does not fit the protocol, naming it
     */
    static XaDialect fromProductName(String productName) {
        DatabaseKind kind = DatabaseKind.of(productName);
        if (kind == DatabaseKind.POSTGRESQL) {
            return POSTGRESQL;
        }
        if (kind == DatabaseKind.MYSQL) {
            return MYSQL;
        }
        if (kind == DatabaseKind.H2) {
            throw new IllegalArgumentException("H2 cannot be an XA participant: a transaction it prepared is rolled"
                    + " back when the connection that prepared it closes, and another connection cannot commit it"
                    + " (it survives only a crash of the whole database); use PostgreSQL or MariaDB");
        }
        throw new IllegalArgumentException("no XA participant support for database '" + productName
                + "'; supported: PostgreSQL, MariaDB, MySQL");
    }

    /**
     * Bounds every statement of business work on a new work connection: no lock wait and no statement lasts
     * longer than {@code bound}, so a branch stuck behind a prepared one (whose commit may be minutes away) gives
     * up and frees its connection. Session-wide, once per physical connection: the work pool's connections serve
     * nothing but branches, and a per-branch {@code SET LOCAL} would cost a round trip per branch.
     */
    abstract void boundWork(Connection conn, Duration bound) throws SQLException;

    /** Checks at build time that the database can prepare transactions at all. */
    void checkReady(Connection conn) throws SQLException {
    }

    /**
     * Before {@code xa.prepare}, on the connection that did the work: TRUE when the branch's transaction is known
     * to be aborted already (its prepare would roll it back, yet answer XA_OK), FALSE when it is known not to be,
     * null when only {@link #confirmPrepared} after the prepare can tell. Must not send anything to the database.
     */
    Boolean abortedBeforePrepare(Connection conn) throws SQLException {
        return Boolean.FALSE;
    }

    /**
     * After {@code xa.prepare} answered XA_OK on {@code conn}, when {@link #abortedBeforePrepare} answered null:
     * whether the transaction really is prepared. False means the database rolled it back instead.
     */
    boolean confirmPrepared(Connection conn, Xid xid) throws SQLException {
        return true;
    }

    /**
     * Whether phase 2 of a branch must run on the session that prepared it, while that session lives (MariaDB,
     * MySQL). False: a prepared transaction belongs to no session and any connection can finish it (PostgreSQL),
     * so the connection is free again right after the prepare.
     */
    boolean finishesOnPreparingSession() {
        return false;
    }

    abstract boolean isRetryable(SQLException e);

    /**
     * Whether a failure means the branch lost a race (deadlock, serialization failure, lock timeout) and the
     * work may simply be run again. The whole chain of causes is searched, since business code may wrap.
     */
    boolean isRetryable(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof SQLException e && isRetryable(e)) {
                return true;
            }
            if (c instanceof XAException x && (x.errorCode == XAException.XA_RBDEADLOCK
                    || x.errorCode == XAException.XA_RBTIMEOUT || x.errorCode == XAException.XA_RBTRANSIENT)) {
                return true;
            }
        }
        return false;
    }
}
