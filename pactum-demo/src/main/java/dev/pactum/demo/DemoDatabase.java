package dev.pactum.demo;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/** A service's own database: an H2 file by default, or the PostgreSQL / MariaDB database it is given. */
final class DemoDatabase {
    private DemoDatabase() {
    }

    /** The default: an embedded H2 database in a file of its own under the demo's work directory. */
    static String defaultUrl(Path workDir, String service) {
        // WRITE_DELAY=0: a commit reaches the file before it returns, so that a service killed with kill -9 right
        // after a commit (the message demo's crash phase) finds it on restart; H2 otherwise writes up to 500 ms later.
        return "jdbc:h2:file:" + workDir.resolve("db").resolve(service).toAbsolutePath()
                + ";LOCK_TIMEOUT=10000;WRITE_DELAY=0";
    }

    static HikariDataSource open(String url, String user, String password, String pool) {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(url);
        if (user != null) {
            c.setUsername(user);
        } else if (url.startsWith("jdbc:postgresql:")) {
            c.setUsername("postgres");
        } else if (url.startsWith("jdbc:mariadb:") || url.startsWith("jdbc:mysql:")) {
            c.setUsername("root");
        }
        if (password != null) {
            c.setPassword(password);
        }
        c.setMaximumPoolSize(16);
        // Opened when needed, not all at start: the machine's PostgreSQL (100 connections) is shared by every
        // service and test running on it, and a service that only waits should not hold 16 of them.
        c.setMinimumIdle(2);
        c.setPoolName(pool);
        return new HikariDataSource(c);
    }

    /** A short description for the summary: which engine, without credentials. */
    static String describe(String url) {
        if (url.startsWith("jdbc:h2:")) {
            return "H2 (embedded)";
        }
        if (url.startsWith("jdbc:postgresql:")) {
            return "PostgreSQL " + url.substring("jdbc:postgresql:".length()).replaceAll("\\?.*", "");
        }
        if (url.startsWith("jdbc:mariadb:") || url.startsWith("jdbc:mysql:")) {
            return "MariaDB " + url.substring(url.indexOf(':', 5) + 1).replaceAll("\\?.*", "");
        }
        return url.replaceAll("\\?.*", "");
    }

    /** {@link #describe} of each database, by service. */
    static java.util.Map<String, String> describeAll(java.util.Map<String, String> urls) {
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        urls.forEach((k, v) -> out.put(k, describe(v)));
        return out;
    }

    static void execute(Connection c, String... sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }
}
