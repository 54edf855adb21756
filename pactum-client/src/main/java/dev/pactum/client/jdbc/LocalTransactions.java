package dev.pactum.client.jdbc;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;

/** The two clean-up steps every local transaction of the SDK (barrier, inbox) ends with. Internal to the SDK. */
public final class LocalTransactions {
    private static final Logger log = LoggerFactory.getLogger(LocalTransactions.class);

    private LocalTransactions() {
    }

    /**
     * Rolls back after {@code cause}; a failure to do so is added to it, not thrown: the connection is probably
     * broken, and the database rolls back when it notices.
     */
    public static void rollbackQuietly(Connection conn, String what, Throwable cause) {
        try {
            conn.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
            log.debug("{}: rollback failed", what, e);
        }
    }

    /** Gives the connection back in auto-commit mode, as it was lent; a failure only costs the pool a connection. */
    public static void restoreAutoCommit(Connection conn, String what) {
        try {
            conn.setAutoCommit(true);
        } catch (SQLException e) {
            log.debug("{}: could not restore auto-commit", what, e);
        }
    }
}
