package dev.pactum.client.barrier;

import com.zaxxer.hikari.HikariConfig;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/** The barrier contract on the machine's MariaDB, in a database of its own. */
class MariaDbBarrierTest extends BarrierContract {
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
    String otherIsolation() {
        return "TRANSACTION_READ_COMMITTED";
    }

    @Override
    BarrierDialect expectedDialect() {
        return BarrierDialect.MYSQL;
    }

    @Override
    boolean failedStatementAbortsTransaction() {
        return false;
    }

    @Override
    List<String> statementsThatCommit() {
        return List.of("COMMIT", "CREATE TABLE " + newTableName() + " (id INT)", "SET autocommit = 1");
    }
}
