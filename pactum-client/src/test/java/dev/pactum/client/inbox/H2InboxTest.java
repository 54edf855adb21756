package dev.pactum.client.inbox;

import com.zaxxer.hikari.HikariConfig;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** The inbox contract on an in-memory H2 database of its own. */
class H2InboxTest extends InboxContract {
    private static String url(String name) {
        // Keep the database between connections; wait for row locks long enough that a duplicate waits for the
        // first transaction instead of timing out.
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
    InboxDialect expectedDialect() {
        return InboxDialect.H2;
    }

    @Override
    boolean aFailedStatementAbortsTheTransaction() {
        return false;
    }

    @Override
    String sessionId(Connection conn) throws SQLException {
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT SESSION_ID()")) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Override
    boolean isWaitingForALock(Connection observer, String sessionId, String rowId) throws SQLException {
        try (PreparedStatement ps = observer.prepareStatement(
                "SELECT BLOCKER_ID FROM INFORMATION_SCHEMA.SESSIONS WHERE SESSION_ID = ?")) {
            ps.setInt(1, Integer.parseInt(sessionId));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getObject(1) != null;
            }
        }
    }
}
