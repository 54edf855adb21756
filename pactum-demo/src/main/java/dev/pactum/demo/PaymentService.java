package dev.pactum.demo;

import dev.pactum.api.BranchOp;
import dev.pactum.client.barrier.BranchRefusedException;
import dev.pactum.demo.ServiceHttp.Call;
import dev.pactum.demo.ServiceHttp.Handler;
import dev.pactum.demo.ServiceHttp.Reply;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The payment service of the seeds: pays an order from the user's balance.
 * Try freezes the amount (balance stays, frozen grows, so money is never counted twice); Confirm moves it to the
 * merchant; Cancel unfreezes it. Each payment is a row keyed by the global id, which Confirm and Cancel read.
 */
final class PaymentService extends TccParticipant {
    static final String MERCHANT = "merchant";

    record TryBody(String userId, long amount) {
    }

    record ResetBody(Map<String, Long> accounts) {
    }

    PaymentService(DataSource db) throws SQLException {
        super(db);
        try (Connection c = db.getConnection()) {
            DemoDatabase.execute(c,
                    "CREATE TABLE IF NOT EXISTS pay_account (user_id VARCHAR(64) PRIMARY KEY, balance BIGINT NOT NULL,"
                            + " frozen BIGINT NOT NULL)",
                    "CREATE TABLE IF NOT EXISTS pay_record (gid VARCHAR(64) PRIMARY KEY, user_id VARCHAR(64) NOT NULL,"
                            + " amount BIGINT NOT NULL, status VARCHAR(16) NOT NULL)");
        }
    }

    Map<String, Handler> routes() {
        return Map.of(
                "POST /tcc/payment/try", this::tryPay,
                "POST /tcc/payment/confirm", c -> branch(c, BranchOp.CONFIRM, conn -> settle(conn, c.gid(), true)),
                "POST /tcc/payment/cancel", c -> branch(c, BranchOp.CANCEL, conn -> settle(conn, c.gid(), false)),
                "POST /admin/reset", this::reset,
                "GET /state", c -> Reply.ok(state()),
                "GET /health", c -> Reply.ok(Map.of("status", "UP")));
    }

    /** XA: the payment happens at once inside the XA branch; the row locks hold until phase two. */
    Map<String, Handler> xaRoutes(XaAgent agent) {
        return Map.of("POST /xa/payment/pay", call -> {
            TryBody b = call.read(TryBody.class);
            if (b.userId() == null || b.amount() <= 0) {
                return Reply.error(400, "invalid_input", "userId and a positive amount are required");
            }
            return agent.work(call, conn -> {
                long available = available(conn, b.userId());
                if (available < b.amount()) {
                    throw new BranchRefusedException("insufficient balance: user " + b.userId() + " has " + available
                            + ", needs " + b.amount());
                }
                update(conn, "UPDATE pay_account SET balance = balance - ? WHERE user_id = ?", b.amount(), b.userId());
                update(conn, "UPDATE pay_account SET balance = balance + ? WHERE user_id = ?", b.amount(), MERCHANT);
                update(conn, "INSERT INTO pay_record (gid, user_id, amount, status) VALUES (?, ?, ?, 'PAID')",
                        call.gid(), b.userId(), b.amount());
            });
        });
    }

    /** balance - frozen of a user, with the row locked; refuses an unknown user. */
    private static long available(Connection conn, String userId) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement(
                "SELECT balance - frozen FROM pay_account WHERE user_id = ? FOR UPDATE")) {
            ps.setString(1, userId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new BranchRefusedException("no account for user " + userId);
                }
                return rs.getLong(1);
            }
        }
    }

    private Reply tryPay(Call call) throws Exception {
        TryBody b = call.read(TryBody.class);
        if (b.userId() == null || b.amount() <= 0) {
            return Reply.error(400, "invalid_input", "userId and a positive amount are required");
        }
        return branch(call, BranchOp.TRY, conn -> {
            long available = available(conn, b.userId());
            if (available < b.amount()) {
                throw new BranchRefusedException("insufficient balance: user " + b.userId() + " has " + available
                        + " available, needs " + b.amount());
            }
            update(conn, "UPDATE pay_account SET frozen = frozen + ? WHERE user_id = ?", b.amount(), b.userId());
            update(conn, "INSERT INTO pay_record (gid, user_id, amount, status) VALUES (?, ?, ?, 'FROZEN')",
                    call.gid(), b.userId(), b.amount());
        });
    }

    /** Confirm moves the frozen amount to the merchant; Cancel releases it. */
    private static void settle(Connection conn, String gid, boolean confirm) throws SQLException {
        String user;
        long amount;
        try (PreparedStatement ps = conn.prepareStatement(
                "SELECT user_id, amount FROM pay_record WHERE gid = ? AND status = 'FROZEN' FOR UPDATE")) {
            ps.setString(1, gid);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    // The barrier lets Confirm/Cancel through only after a successful Try, so the row must exist.
                    throw new SQLException("payment " + gid + " has no FROZEN record to " + (confirm ? "confirm" : "cancel"));
                }
                user = rs.getString(1);
                amount = rs.getLong(2);
            }
        }
        if (confirm) {
            update(conn, "UPDATE pay_account SET balance = balance - ?, frozen = frozen - ? WHERE user_id = ?",
                    amount, amount, user);
            update(conn, "UPDATE pay_account SET balance = balance + ? WHERE user_id = ?", amount, MERCHANT);
        } else {
            update(conn, "UPDATE pay_account SET frozen = frozen - ? WHERE user_id = ?", amount, user);
        }
        update(conn, "UPDATE pay_record SET status = ? WHERE gid = ?", confirm ? "PAID" : "CANCELLED", gid);
    }

    private Reply reset(Call call) throws Exception {
        ResetBody b = call.read(ResetBody.class);
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            DemoDatabase.execute(c, "DELETE FROM pay_record", "DELETE FROM pay_account",
                    "DELETE FROM " + dev.pactum.client.barrier.Barrier.TABLE);
            update(c, "INSERT INTO pay_account (user_id, balance, frozen) VALUES (?, 0, 0)", MERCHANT);
            for (Map.Entry<String, Long> e : b.accounts().entrySet()) {
                update(c, "INSERT INTO pay_account (user_id, balance, frozen) VALUES (?, ?, 0)", e.getKey(), e.getValue());
            }
            c.commit();
        }
        return Reply.ok(state());
    }

    Map<String, Object> state() throws SQLException {
        Map<String, Object> out = new LinkedHashMap<>();
        try (Connection c = db.getConnection()) {
            Map<String, Map<String, Long>> accounts = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT user_id, balance, frozen FROM pay_account ORDER BY user_id");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    accounts.put(rs.getString(1), Map.of("balance", rs.getLong(2), "frozen", rs.getLong(3)));
                }
            }
            List<Map<String, Object>> records = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT gid, user_id, amount, status FROM pay_record ORDER BY gid");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    records.add(Map.of("gid", rs.getString(1), "userId", rs.getString(2), "amount", rs.getLong(3),
                            "status", rs.getString(4)));
                }
            }
            out.put("accounts", accounts);
            out.put("payments", records);
        }
        return out;
    }

    static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            return ps.executeUpdate();
        }
    }
}
