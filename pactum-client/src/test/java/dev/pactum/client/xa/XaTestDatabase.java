package dev.pactum.client.xa;

import dev.pactum.client.barrier.BranchRefusedException;
import org.mariadb.jdbc.MariaDbDataSource;
import org.postgresql.xa.PGXADataSource;

import javax.sql.XADataSource;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * One isolated place in a real database for one test class (a PostgreSQL schema, a MariaDB database) with an
 * account table, and the database's own view of prepared transactions (pg_prepared_xacts, XA RECOVER) read with
 * plain SQL, independently of the driver's XAResource.
 */
abstract class XaTestDatabase {
    final String name;

    XaTestDatabase(String name) {
        this.name = name;
    }

    static String newName(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    static XaTestDatabase of(String kind, String name) {
        return switch (kind) {
            case "postgresql" -> new Postgres(name);
            case "mariadb" -> new MariaDb(name);
            default -> throw new IllegalArgumentException(kind);
        };
    }

    abstract String kind();

    abstract XADataSource dataSource() throws SQLException;

    /** A plain connection into the isolated schema or database (auto-commit). */
    abstract Connection connect() throws SQLException;

    abstract void create() throws SQLException;

    abstract void drop() throws SQLException;

    /** Prepared Pactum branches the database lists, as "gid/branchId", read with SQL. */
    abstract List<String> preparedBranches() throws SQLException;

    /** Rolls a prepared branch back with SQL (cleanup after a failed test). */
    abstract void rollbackWithSql(String gid, String branchId) throws SQLException;

    /** The prepared branches of one test class: those whose gid starts with {@code gidPrefix}. */
    List<String> preparedBranches(String gidPrefix) throws SQLException {
        return preparedBranches().stream().filter(b -> b.startsWith(gidPrefix)).toList();
    }

    void createAccounts() throws SQLException {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE acct (id VARCHAR(64) PRIMARY KEY, balance INT NOT NULL)");
        }
    }

    void newAccount(String id, int balance) throws SQLException {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement("INSERT INTO acct VALUES (?, ?)")) {
            ps.setString(1, id);
            ps.setInt(2, balance);
            ps.executeUpdate();
        }
    }

    /** The committed balance, read without waiting for locks held by a branch. */
    Integer balance(String id) throws SQLException {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement("SELECT balance FROM acct WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getInt(1) : null;
            }
        }
    }

    /** Business work: takes {@code amount} from the account, refusing when the balance is too low. */
    static XaWork debit(String account, int amount) {
        return conn -> {
            try (PreparedStatement ps = conn.prepareStatement(
                    "UPDATE acct SET balance = balance - ? WHERE id = ? AND balance >= ?")) {
                ps.setInt(1, amount);
                ps.setString(2, account);
                ps.setInt(3, amount);
                if (ps.executeUpdate() == 0) {
                    throw new BranchRefusedException("balance of " + account + " below " + amount);
                }
            }
        };
    }

    /** Tries to update the account from a separate connection without waiting long for its row lock. */
    abstract boolean canUpdateWithoutWaiting(String account) throws SQLException;

    /** SQL listing the server-side ids of the sessions of {@link #dataSource()} (not the asking one). */
    abstract String dataSourceSessions();

    /** SQL that ends the session with id {@code ?} on the server. */
    abstract String killSession();

    /**
     * Ends, on the server, every session of {@link #dataSource()} (as a database restart or an idle-session
     * timeout would) and waits until they are gone. Returns how many there were.
     */
    int killDataSourceSessions() throws SQLException, InterruptedException {
        try (Connection c = connect()) {
            List<Long> ids = new ArrayList<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(dataSourceSessions())) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
            for (long id : ids) {
                try (Statement st = c.createStatement()) {
                    st.execute(killSession().replace("?", Long.toString(id)));
                }
            }
            awaitNone(c, dataSourceSessions());
            return ids.size();
        }
    }

    /**
     * Waits until the server has ended every session of {@link #dataSource()} that was closed. A client's close
     * returns before the server has processed it, and until then MariaDB lets no other session finish what the
     * closed one prepared (a moment's race, seen on a loaded machine).
     */
    void awaitDataSourceSessionsGone() throws SQLException, InterruptedException {
        try (Connection c = connect()) {
            awaitNone(c, dataSourceSessions());
        }
    }

    static void awaitNone(Connection c, String query) throws SQLException, InterruptedException {
        for (int i = 0; i < 400; i++) {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
                if (!rs.next()) {
                    return;
                }
            }
            Thread.sleep(25);
        }
        throw new IllegalStateException("still there after 10 s: " + query);
    }

    // ---------------------------------------------------------------------------------------------------------

    static final class Postgres extends XaTestDatabase {
        static final String BASE = "jdbc:postgresql://127.0.0.1:5432/test";

        Postgres(String name) {
            super(name);
        }

        @Override
        String kind() {
            return "postgresql";
        }

        String url() {
            return BASE + "?currentSchema=" + name;
        }

        @Override
        XADataSource dataSource() {
            PGXADataSource ds = new PGXADataSource();
            ds.setUrl(url());
            ds.setUser("postgres");
            ds.setApplicationName(name); // so that killDataSourceSessions finds them
            return ds;
        }

        @Override
        String dataSourceSessions() {
            return "SELECT pid FROM pg_stat_activity WHERE application_name = '" + name + "'"
                    + " AND pid <> pg_backend_pid()";
        }

        @Override
        String killSession() {
            return "SELECT pg_terminate_backend(?)";
        }

        @Override
        Connection connect() throws SQLException {
            return DriverManager.getConnection(url(), "postgres", "");
        }

        @Override
        void create() throws SQLException {
            admin("CREATE SCHEMA " + name);
        }

        @Override
        void drop() throws SQLException {
            admin("DROP SCHEMA IF EXISTS " + name + " CASCADE");
        }

        private static void admin(String sql) throws SQLException {
            try (Connection c = DriverManager.getConnection(BASE, "postgres", ""); Statement st = c.createStatement()) {
                st.execute(sql);
            }
        }

        @Override
        List<String> preparedBranches() throws SQLException {
            List<String> out = new ArrayList<>();
            try (Connection c = connect(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT gid FROM pg_prepared_xacts")) {
                while (rs.next()) {
                    // The driver's form: formatId_base64(gtrid)_base64(bqual)
                    String[] parts = rs.getString(1).split("_");
                    if (parts.length == 3 && parts[0].equals(Integer.toString(XaIds.FORMAT_ID))) {
                        Base64.Decoder d = Base64.getDecoder();
                        out.add(new String(d.decode(parts[1]), StandardCharsets.UTF_8) + "/"
                                + new String(d.decode(parts[2]), StandardCharsets.UTF_8));
                    }
                }
            }
            return out;
        }

        @Override
        void rollbackWithSql(String gid, String branchId) throws SQLException {
            try (Connection c = connect(); Statement st = c.createStatement()) {
                st.execute("ROLLBACK PREPARED '" + XaIds.postgresGid(gid, branchId) + "'");
            }
        }

        @Override
        boolean canUpdateWithoutWaiting(String account) throws SQLException {
            try (Connection c = connect(); Statement st = c.createStatement()) {
                st.execute("SET lock_timeout = '200ms'");
                st.executeUpdate("UPDATE acct SET balance = balance WHERE id = '" + account + "'");
                return true;
            } catch (SQLException e) {
                if ("55P03".equals(e.getSQLState())) {
                    return false;
                }
                throw e;
            }
        }
    }

    static final class MariaDb extends XaTestDatabase {
        static final String BASE = "jdbc:mariadb://127.0.0.1:3306/";

        MariaDb(String name) {
            super(name);
        }

        @Override
        String kind() {
            return "mariadb";
        }

        @Override
        XADataSource dataSource() throws SQLException {
            return new MariaDbDataSource(BASE + name + "?user=root&password=");
        }

        @Override
        Connection connect() throws SQLException {
            return DriverManager.getConnection(BASE + name, "root", "");
        }

        @Override
        String dataSourceSessions() {
            return "SELECT id FROM information_schema.processlist WHERE db = '" + name + "'"
                    + " AND id <> CONNECTION_ID()";
        }

        @Override
        String killSession() {
            return "KILL CONNECTION ?";
        }

        /** Waits until the server has ended the session with this id (see {@link #awaitDataSourceSessionsGone}). */
        void awaitSessionGone(long sessionId) throws SQLException, InterruptedException {
            try (Connection c = connect()) {
                awaitNone(c, "SELECT id FROM information_schema.processlist WHERE id = " + sessionId);
            }
        }

        @Override
        void create() throws SQLException {
            admin("CREATE DATABASE " + name);
        }

        @Override
        void drop() throws SQLException {
            admin("DROP DATABASE IF EXISTS " + name);
        }

        private static void admin(String sql) throws SQLException {
            try (Connection c = DriverManager.getConnection(BASE + "test", "root", ""); Statement st = c.createStatement()) {
                // A session left open by a failed test would block DROP DATABASE for a day (the default): fail instead.
                st.execute("SET SESSION lock_wait_timeout = 60");
                st.execute(sql);
            }
        }

        @Override
        List<String> preparedBranches() throws SQLException {
            List<String> out = new ArrayList<>();
            try (Connection c = connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("XA RECOVER")) {
                while (rs.next()) {
                    if (rs.getInt("formatID") != XaIds.FORMAT_ID) {
                        continue;
                    }
                    int g = rs.getInt("gtrid_length");
                    int b = rs.getInt("bqual_length");
                    byte[] data = rs.getBytes("data");
                    out.add(new String(data, 0, g, StandardCharsets.UTF_8) + "/"
                            + new String(data, g, b, StandardCharsets.UTF_8));
                }
            }
            return out;
        }

        @Override
        void rollbackWithSql(String gid, String branchId) throws SQLException {
            try (Connection c = connect(); Statement st = c.createStatement()) {
                st.execute("XA ROLLBACK " + XaIds.mysqlXid(gid, branchId));
            }
        }

        @Override
        boolean canUpdateWithoutWaiting(String account) throws SQLException {
            try (Connection c = connect(); Statement st = c.createStatement()) {
                st.execute("SET SESSION innodb_lock_wait_timeout = 1");
                st.executeUpdate("UPDATE acct SET balance = balance WHERE id = '" + account + "'");
                return true;
            } catch (SQLException e) {
                if (e.getErrorCode() == 1205) {
                    return false;
                }
                throw e;
            }
        }
    }
}
