package dev.pactum.client.barrier;

import com.zaxxer.hikari.HikariConfig;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/** The barrier contract on an in-memory H2 database of its own. */
class H2BarrierTest extends BarrierContract {
    private static String url(String name) {
        // Keep the database while the pool opens and closes connections; wait for row locks long enough that
        // a duplicate waits for the first transaction instead of timing out.
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
    String otherIsolation() {
        return "TRANSACTION_REPEATABLE_READ";
    }

    @Override
    BarrierDialect expectedDialect() {
        return BarrierDialect.H2;
    }

    @Override
    boolean failedStatementAbortsTransaction() {
        return false;
    }

    @Override
    List<String> statementsThatCommit() {
        return List.of("COMMIT", "CREATE TABLE " + newTableName() + " (id INT)", "SET AUTOCOMMIT TRUE");
    }
}
