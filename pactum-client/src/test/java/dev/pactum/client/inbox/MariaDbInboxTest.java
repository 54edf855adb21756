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

    /**
     * InnoDB's own view ({@code information_schema.INNODB_TRX.trx_state = 'LOCK WAIT'}) was seen to lag by seconds
     * on MariaDB 10.11, so this looks at the statement the session is running: the update of the awaited row.
     * That is enough: InnoDB rolls back the lighter transaction of a deadlock, whichever closes the cycle.
     */
    @Override
    boolean isWaitingForALock(Connection observer, String sessionId, String rowId) throws SQLException {
        try (PreparedStatement ps = observer.prepareStatement("SELECT INFO FROM information_schema.PROCESSLIST"
                + " WHERE ID = ? AND COMMAND = 'Query'")) {
            ps.setLong(1, Long.parseLong(sessionId));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getString(1) != null && rs.getString(1).contains("'" + rowId + "'");
            }
        }
    }
}
