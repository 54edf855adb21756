package dev.pactum.client.msg;

import com.zaxxer.hikari.HikariConfig;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/** The message producer on the machine's MariaDB, in a database of its own. */
class MariaDbMessageProducerTest extends MessageProducerContract {
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
    String sessionId(Connection conn) throws SQLException {
        return PostgresMessageProducerTest.query(conn, "SELECT CONNECTION_ID()", null);
    }

    /**
     * Sessions of this test's own database running the barrier insert: the only session that runs it while the
     * local transaction {@code blocker} holds the key is the check, waiting for that key's lock.
     */
    @Override
    int sessionsBlockedBy(Connection conn, String blocker) throws SQLException {
        return Integer.parseInt(PostgresMessageProducerTest.query(conn, "SELECT count(*)"
                + " FROM information_schema.processlist WHERE db = DATABASE() AND id <> CAST(? AS SIGNED)"
                + " AND info LIKE 'INSERT IGNORE INTO pactum_barrier%'", blocker));
    }

    @Override
    String describeSessions(Connection conn) throws SQLException {
        return dump(conn, "SELECT id, db, command, state, info FROM information_schema.processlist");
    }
}
