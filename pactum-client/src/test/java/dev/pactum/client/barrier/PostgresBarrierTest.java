package dev.pactum.client.barrier;

import com.zaxxer.hikari.HikariConfig;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/** The barrier contract on the machine's PostgreSQL, in a schema of its own in database {@code test}. */
class PostgresBarrierTest extends BarrierContract {
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
    String otherIsolation() {
        return "TRANSACTION_REPEATABLE_READ";
    }

    @Override
    BarrierDialect expectedDialect() {
        return BarrierDialect.POSTGRESQL;
    }

    @Override
    boolean failedStatementAbortsTransaction() {
        return true;
    }
}
