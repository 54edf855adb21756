package dev.pactum.client;

import com.zaxxer.hikari.HikariConfig;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A database of a test class's own on one of the engines the SDK supports: a schema in the machine's PostgreSQL
 * database {@code test}, a database in the machine's MariaDB, or an in-memory H2 database. The barrier's and the
 * inbox's tests set theirs up in their own classes; new tests use this.
 */
public enum IsolatedDatabase {
    POSTGRESQL {
        @Override
        public void create(String name) throws SQLException {
            admin("CREATE SCHEMA " + name);
        }

        @Override
        public HikariConfig poolConfig(String name) {
            return config(PG_URL + "?currentSchema=" + name, "postgres");
        }

        @Override
        public void drop(String name) throws SQLException {
            admin("DROP SCHEMA IF EXISTS " + name + " CASCADE");
        }

        private void admin(String sql) throws SQLException {
            run(PG_URL, "postgres", sql);
        }
    },
    MARIADB {
        @Override
        public void create(String name) throws SQLException {
            run(MARIADB_URL + "test", "root", "CREATE DATABASE " + name);
        }

        @Override
        public HikariConfig poolConfig(String name) {
            return config(MARIADB_URL + name, "root");
        }

        @Override
        public void drop(String name) throws SQLException {
            run(MARIADB_URL + "test", "root", "DROP DATABASE IF EXISTS " + name);
        }
    },
    H2 {
        @Override
        public void create(String name) {
            // created by the first connection
        }

        @Override
        public HikariConfig poolConfig(String name) {
            return config(h2Url(name), "sa");
        }

        @Override
        public void drop(String name) throws SQLException {
            run(h2Url(name), "sa", "SHUTDOWN");
        }

        private String h2Url(String name) {
            // Keep the database while the pool opens and closes connections; wait for row locks long enough that
            // a duplicate key waits for the first transaction instead of timing out.
            return "jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000";
        }
    };

    private static final String PG_URL = "jdbc:postgresql://127.0.0.1:5432/test";
    private static final String MARIADB_URL = "jdbc:mariadb://127.0.0.1:3306/";

    public abstract void create(String name) throws SQLException;

    /** Pool settings for connections into the database {@code name}. */
    public abstract HikariConfig poolConfig(String name);

    public abstract void drop(String name) throws SQLException;

    private static HikariConfig config(String url, String user) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword("");
        return config;
    }

    private static void run(String url, String user, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, ""); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
