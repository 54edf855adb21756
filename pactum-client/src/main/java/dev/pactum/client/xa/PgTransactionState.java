package dev.pactum.client.xa;

import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * What the PostgreSQL JDBC driver (pgjdbc) already knows about a connection's transaction, without asking the
 * server: every answer of the server ends with a ReadyForQuery message that carries the transaction's state
 * (idle, open, or failed: aborted by an error, so that its PREPARE TRANSACTION would roll back), and pgjdbc keeps
 * the last one ({@link BaseConnection#getTransactionState()}).
 *
 * <p>A class of its own so that nothing else in the participant names pgjdbc's classes: the driver is an optional
 * dependency of the SDK, and a PostgreSQL driver other than pgjdbc simply gets {@code null} (unknown) here.
 */
final class PgTransactionState {
    private static final boolean PGJDBC = present();

    private PgTransactionState() {
    }

    /**
     * Whether the open transaction on {@code conn} has been aborted by an error (the server said so in its last
     * answer): true for FAILED, false for OPEN. Null when the connection is not pgjdbc's, or when no transaction is
     * open (IDLE: the work sent no statement, or something ended its transaction), because PREPARE TRANSACTION
     * outside a transaction only warns and prepares nothing: the caller must ask the server instead.
     */
    static Boolean failed(Connection conn) throws SQLException {
        if (!PGJDBC || !conn.isWrapperFor(BaseConnection.class)) {
            return null;
        }
        return switch (conn.unwrap(BaseConnection.class).getTransactionState()) {
            case FAILED -> Boolean.TRUE;
            case OPEN -> Boolean.FALSE;
            case IDLE -> null;
        };
    }

    private static boolean present() {
        try {
            Class.forName("org.postgresql.core.BaseConnection", false, PgTransactionState.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
