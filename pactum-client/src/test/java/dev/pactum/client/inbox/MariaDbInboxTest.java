package dev.pactum.client.inbox;

import com.zaxxer.hikari.HikariConfig;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** The inbox contract on the machine's MariaDB, in a database of its own. */
class MariaDbInboxTest extends InboxContract {
    static final String URL = "jdbc:mariadb://127.0.0.1:3306/";
    static final String USER = "root";

    @Override
    void createIsolated(String name) throws SQLException {
        admin("CREATE DATABASE " + name);
    }

    @Override
    HikariConfig poolConfig(String name) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(URL + name);
        config.setUsername(USER);
        config.setPassword("");
        return config;
    }

    @Override
    void dropIsolated(String name) throws SQLException {
        admin("DROP DATABASE IF EXISTS " + name);
    }

    private static void admin(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(URL + "test", USER, ""); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    @Override
    InboxDialect expectedDialect() {
        return InboxDialect.MYSQL;
    }

    @Override
    boolean aFailedStatementAbortsTheTransaction() {
        return false;
    }

    @Override
    String sessionId(Connection conn) throws SQLException {
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT CONNECTION_ID()")) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Override
    boolean isWaitingForALock(Connection observer, String sessionId) throws SQLException {
        try (PreparedStatement ps = observer.prepareStatement("SELECT COUNT(*) FROM information_schema.INNODB_TRX"
                + " WHERE trx_mysql_thread_id = ? AND trx_state = 'LOCK WAIT'")) {
            ps.setLong(1, Long.parseLong(sessionId));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getLong(1) > 0;
            }
        }
    }
}
