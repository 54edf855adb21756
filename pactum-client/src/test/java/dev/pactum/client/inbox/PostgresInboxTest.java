package dev.pactum.client.inbox;

import com.zaxxer.hikari.HikariConfig;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** The inbox contract on the machine's PostgreSQL, in a schema of its own in database {@code test}. */
class PostgresInboxTest extends InboxContract {
    static final String URL = "jdbc:postgresql://127.0.0.1:5432/test";
    static final String USER = "postgres";

    @Override
    void createIsolated(String name) throws SQLException {
        admin("CREATE SCHEMA " + name);
    }

    @Override
    HikariConfig poolConfig(String name) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(URL + "?currentSchema=" + name);
        config.setUsername(USER);
        return config;
    }

    @Override
    void dropIsolated(String name) throws SQLException {
        admin("DROP SCHEMA IF EXISTS " + name + " CASCADE");
    }

    private static void admin(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(URL, USER, ""); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    @Override
    InboxDialect expectedDialect() {
        return InboxDialect.POSTGRESQL;
    }

    @Override
    boolean aFailedStatementAbortsTheTransaction() {
        return true;
    }

    @Override
    String sessionId(Connection conn) throws SQLException {
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Override
    boolean isWaitingForALock(Connection observer, String sessionId, String rowId) throws SQLException {
        try (PreparedStatement ps = observer.prepareStatement(
                "SELECT wait_event_type FROM pg_stat_activity WHERE pid = ?")) {
            ps.setInt(1, Integer.parseInt(sessionId));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && "Lock".equals(rs.getString(1));
            }
        }
    }

    @Override
    void prepareDeadlock(Connection victim, Connection survivor) throws SQLException {
        // The session whose deadlock_timeout runs out first runs the check and is the one rolled back.
        try (Statement v = victim.createStatement(); Statement s = survivor.createStatement()) {
            v.execute("SET LOCAL deadlock_timeout = '50ms'");
            s.execute("SET LOCAL deadlock_timeout = '20s'");
        }
    }
}
