package dev.pactum.client.barrier;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The seeds' payment service in miniature: an account whose Try freezes an amount, whose Confirm takes the
 * frozen amount off the balance and whose Cancel releases it. Business effects are visible in the table, so
 * a test can tell "applied once" from "applied twice" or "not at all".
 */
final class Accounts {
    private final DataSource dataSource;

    Accounts(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    void createTable() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE account (id VARCHAR(64) PRIMARY KEY, balance BIGINT NOT NULL,"
                    + " frozen BIGINT NOT NULL)");
            // What business code often writes beside the change: an audit row with a unique id.
            st.execute("CREATE TABLE account_log (id VARCHAR(200) PRIMARY KEY)");
        }
    }

    /** Inserts audit row {@code id}; a second insert of the same id fails with a duplicate-key error. */
    static void log(Connection conn, String id) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("INSERT INTO account_log (id) VALUES (?)")) {
            ps.setString(1, id);
            ps.executeUpdate();
        }
    }

    /** Committed audit rows whose id starts with {@code prefix}. */
    long logCount(String prefix) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM account_log WHERE id LIKE ?")) {
            ps.setString(1, prefix + "%");
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    void open(String id, long balance, long frozen) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO account (id, balance, frozen) VALUES (?, ?, ?)")) {
            ps.setString(1, id);
            ps.setLong(2, balance);
            ps.setLong(3, frozen);
            ps.executeUpdate();
        }
    }

    /** {balance, frozen} */
    long[] read(String id) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT balance, frozen FROM account WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("no account " + id);
                }
                return new long[] {rs.getLong(1), rs.getLong(2)};
            }
        }
    }

    /** Try: freeze {@code amount}, refuse when the available balance is short. */
    static BranchWork freeze(String id, long amount) {
        return conn -> {
            try (PreparedStatement ps = conn.prepareStatement(
                    "UPDATE account SET frozen = frozen + ? WHERE id = ? AND balance - frozen >= ?")) {
                ps.setLong(1, amount);
                ps.setString(2, id);
                ps.setLong(3, amount);
                if (ps.executeUpdate() == 0) {
                    throw new BranchRefusedException("account " + id + " cannot freeze " + amount);
                }
            }
        };
    }

    /** Confirm: pay the frozen amount. */
    static BranchWork pay(String id, long amount) {
        return add(id, -amount, -amount);
    }

    /** Cancel: release the frozen amount. */
    static BranchWork release(String id, long amount) {
        return add(id, 0, -amount);
    }

    static BranchWork add(String id, long balanceDelta, long frozenDelta) {
        return conn -> update(conn, id, balanceDelta, frozenDelta);
    }

    static void update(Connection conn, String id, long balanceDelta, long frozenDelta) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement(
                "UPDATE account SET balance = balance + ?, frozen = frozen + ? WHERE id = ?")) {
            ps.setLong(1, balanceDelta);
            ps.setLong(2, frozenDelta);
            ps.setString(3, id);
            if (ps.executeUpdate() != 1) {
                throw new IllegalStateException("no account " + id);
            }
        }
    }
}
