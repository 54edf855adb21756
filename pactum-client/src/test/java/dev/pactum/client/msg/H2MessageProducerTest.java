package dev.pactum.client.msg;

import dev.pactum.client.IsolatedDatabase;

import java.sql.Connection;
import java.sql.SQLException;

/** The message producer on an in-memory H2 database of its own. */
class H2MessageProducerTest extends MessageProducerContract {
    @Override
    IsolatedDatabase database() {
        return IsolatedDatabase.H2;
    }

    @Override
    String sessionId(Connection conn) throws SQLException {
        return PostgresMessageProducerTest.query(conn, "SELECT SESSION_ID()", null);
    }

    /** Sessions running the barrier insert other than {@code blocker}: the check, waiting for the key's lock. */
    @Override
    int sessionsBlockedBy(Connection conn, String blocker) throws SQLException {
        return Integer.parseInt(PostgresMessageProducerTest.query(conn, "SELECT count(*)"
                + " FROM INFORMATION_SCHEMA.SESSIONS WHERE SESSION_ID <> CAST(? AS INT)"
                + " AND EXECUTING_STATEMENT LIKE 'SELECT TRANSACTION_ID() FROM FINAL TABLE (INSERT INTO pactum_barrier%'",
                blocker));
    }

    @Override
    String describeSessions(Connection conn) throws SQLException {
        return dump(conn, "SELECT SESSION_ID, SESSION_STATE, BLOCKER_ID, EXECUTING_STATEMENT FROM INFORMATION_SCHEMA.SESSIONS");
    }
}
