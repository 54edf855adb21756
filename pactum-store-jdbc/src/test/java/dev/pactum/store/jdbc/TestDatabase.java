package dev.pactum.store.jdbc;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A scratch schema (PostgreSQL) or database (MariaDB) on the machine's real server, made for one test class and
 * dropped after it, so that test classes and other suites sharing the server never see each other's rows.
 */
final class TestDatabase {
    /** Small on purpose: the servers are shared, and the races still overlap with this many connections. */
    static final int POOL_SIZE = 6;

    private final String adminUrl;
    private final String user;
    private final String password;
    private final String name;
    private final String storeUrl;
    private final String dropSql;

    private TestDatabase(String adminUrl, String user, String password, String name, String storeUrl,
                         String createSql, String dropSql) {
        this.adminUrl = adminUrl;
        this.user = user;
        this.password = password;
        this.name = name;
        this.storeUrl = storeUrl;
        this.dropSql = dropSql;
        execute(adminUrl, createSql);
    }

    /** A new schema in the {@code test} database of the local PostgreSQL (trust authentication). */
    static TestDatabase postgres() {
        String name = uniqueName();
        return new TestDatabase("jdbc:postgresql://127.0.0.1:5432/test", "postgres", null, name,
                "jdbc:postgresql://127.0.0.1:5432/test?currentSchema=" + name,
                "CREATE SCHEMA " + name, "DROP SCHEMA IF EXISTS " + name + " CASCADE");
    }

    /** A new database on the local MariaDB (root, no password). */
    static TestDatabase mariadb() {
        String name = uniqueName();
        return new TestDatabase("jdbc:mariadb://127.0.0.1:3306/test", "root", "", name,
                "jdbc:mariadb://127.0.0.1:3306/" + name,
                "CREATE DATABASE " + name, "DROP DATABASE IF EXISTS " + name);
    }

    private static String uniqueName() {
        return "pactum_store_test_" + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
    }

    String name() {
        return name;
    }

    JdbcStoreConfig config() {
        return new JdbcStoreConfig(storeUrl, user, password, POOL_SIZE);
    }

    /** Deletes every row the store keeps; the tables stay. */
    void clear() {
        execute(storeUrl, "DELETE FROM pactum_lane", "DELETE FROM pactum_lane_tail", "DELETE FROM pactum_branch",
                "DELETE FROM pactum_global");
    }

    /** Runs statements with a plain connection on the scratch schema, around the store. */
    void executeInside(String... sql) {
        execute(storeUrl, sql);
    }

    void drop() {
        execute(adminUrl, dropSql);
    }

    private void execute(String url, String... sql) {
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
            for (String statement : sql) {
                s.execute(statement);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("test database " + name + " at " + url + ": " + e.getMessage(), e);
        }
    }
}
