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
     * Sessions of this test's own database in a lock wait: the only other session in it is the local transaction
     * {@code blocker} (innodb_lock_waits' blocking id is not used: it did not always name the holder here).
     */
    @Override
    int sessionsBlockedBy(Connection conn, String blocker) throws SQLException {
        return Integer.parseInt(PostgresMessageProducerTest.query(conn, "SELECT count(*)"
                + " FROM information_schema.innodb_trx t JOIN information_schema.processlist p"
                + " ON p.id = t.trx_mysql_thread_id"
                + " WHERE t.trx_state = 'LOCK WAIT' AND p.db = DATABASE() AND p.id <> CAST(? AS INTEGER)", blocker));
    }
}
