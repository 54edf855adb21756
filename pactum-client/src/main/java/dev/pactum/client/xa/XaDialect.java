package dev.pactum.client.xa;

import javax.transaction.xa.XAException;
import javax.transaction.xa.Xid;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

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
         * nothing prepared. So look for the prepared transaction itself (one indexed read of a small view).
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

        @Override
        boolean isRetryable(SQLException e) {
            // 40001 serialization failure, 40P01 deadlock, 55P03 lock_not_available (lock_timeout)
            String s = e.getSQLState();
            return "40001".equals(s) || "40P01".equals(s) || "55P03".equals(s);
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

        @Override
        boolean isRetryable(SQLException e) {
            // 1213 deadlock, 1205 lock wait timeout, 1614 XA_RBDEADLOCK, 1613 XA_RBTIMEOUT
            int code = e.getErrorCode();
            return "40001".equals(e.getSQLState()) || code == 1213 || code == 1205 || code == 1614 || code == 1613;
        }
    };

    /**
     * The dialect for a JDBC product name ({@link java.sql.DatabaseMetaData#getDatabaseProductName()}).
     *
     * @throws IllegalArgumentException for a database whose XA support does not fit the protocol, naming it
     */
    static XaDialect fromProductName(String productName) {
        String p = productName == null ? "" : productName.toLowerCase(Locale.ROOT);
        if (p.contains("postgresql")) {
            return POSTGRESQL;
        }
        if (p.contains("mariadb") || p.contains("mysql")) {
            return MYSQL;
        }
        if (p.equals("h2")) {
            throw new IllegalArgumentException("H2 cannot be an XA participant: a transaction it prepared is rolled"
                    + " back when the connection that prepared it closes, and another connection cannot commit it"
                    + " (it survives only a crash of the whole database); use PostgreSQL or MariaDB");
        }
        throw new IllegalArgumentException("no XA participant support for database '" + productName
                + "'; supported: PostgreSQL, MariaDB, MySQL");
    }

    /** Checks at build time that the database can prepare transactions at all. */
    void checkReady(Connection conn) throws SQLException {
    }

    /**
     * After {@code xa.prepare} answered XA_OK on {@code conn}: whether the transaction really is prepared. False
     * means the database rolled it back instead.
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
