package dev.pactum.client.msg;

import com.zaxxer.hikari.HikariConfig;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/** The message producer on an in-memory H2 database of its own. */
class H2MessageProducerTest extends MessageProducerContract {
    private static String url(String name) {
        return "jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000";
    }

    @Override
    void createIsolated(String name) {
        // created by the first connection
    }

    @Override
    HikariConfig poolConfig(String name) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url(name));
        config.setUsername("sa");
        return config;
    }

    @Override
    void dropIsolated(String name) throws SQLException {
        try (Connection c = DriverManager.getConnection(url(name), "sa", ""); Statement st = c.createStatement()) {
            st.execute("SHUTDOWN");
        }
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
