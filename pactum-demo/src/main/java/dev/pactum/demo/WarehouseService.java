package dev.pactum.demo;

import dev.pactum.api.BranchOp;
import dev.pactum.client.barrier.Barrier;
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

import static dev.pactum.demo.PaymentService.update;

/**
 * The warehouse service of the seeds: Try reserves stock, Confirm ships it, Cancel puts it back.
 * available + reserved + shipped of a product never changes.
 */
final class WarehouseService extends TccParticipant {
    record TryBody(String sku, int qty) {
    }

    record ResetBody(Map<String, Integer> stock) {
    }

    WarehouseService(DataSource db) throws SQLException {
        super(db);
        try (Connection c = db.getConnection()) {
            DemoDatabase.execute(c,
                    "CREATE TABLE IF NOT EXISTS wh_stock (sku VARCHAR(64) PRIMARY KEY, available INT NOT NULL,"
                            + " reserved INT NOT NULL, shipped INT NOT NULL)",
                    "CREATE TABLE IF NOT EXISTS wh_reservation (gid VARCHAR(64) PRIMARY KEY, sku VARCHAR(64) NOT NULL,"
                            + " qty INT NOT NULL, status VARCHAR(16) NOT NULL)");
        }
    }

    Map<String, Handler> routes() {
        return Map.of(
                "POST /tcc/stock/try", this::reserve,
                "POST /tcc/stock/confirm", c -> branch(c, BranchOp.CONFIRM, conn -> settle(conn, c.gid(), true)),
                "POST /tcc/stock/cancel", c -> branch(c, BranchOp.CANCEL, conn -> settle(conn, c.gid(), false)),
                "POST /admin/reset", this::reset,
                "GET /state", c -> Reply.ok(state()),
                "GET /health", c -> Reply.ok(Map.of("status", "UP")));
    }

    /** XA: the goods ship at once inside the XA branch; the stock row stays locked until phase two. */
    Map<String, Handler> xaRoutes(XaAgent agent) {
        return Map.of("POST /xa/stock/ship", call -> {
            TryBody b = call.read(TryBody.class);
            if (b.sku() == null || b.qty() <= 0) {
                return Reply.error(400, "invalid_input", "sku and a positive qty are required");
            }
            return agent.work(call, conn -> {
                int available = available(conn, b.sku());
                if (available < b.qty()) {
                    throw new BranchRefusedException("out of stock: " + b.sku() + " has " + available + ", needs "
                            + b.qty());
                }
                update(conn, "UPDATE wh_stock SET available = available - ?, shipped = shipped + ? WHERE sku = ?",
                        b.qty(), b.qty(), b.sku());
                update(conn, "INSERT INTO wh_reservation (gid, sku, qty, status) VALUES (?, ?, ?, 'SHIPPED')",
                        call.gid(), b.sku(), b.qty());
            });
        });
    }

    /** Units available of a product, with the row locked; refuses an unknown product. */
    private static int available(Connection conn, String sku) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("SELECT available FROM wh_stock WHERE sku = ? FOR UPDATE")) {
            ps.setString(1, sku);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new BranchRefusedException("unknown product " + sku);
                }
                return rs.getInt(1);
            }
        }
    }

    private Reply reserve(Call call) throws Exception {
        TryBody b = call.read(TryBody.class);
        if (b.sku() == null || b.qty() <= 0) {
            return Reply.error(400, "invalid_input", "sku and a positive qty are required");
        }
        return branch(call, BranchOp.TRY, conn -> {
            int available = available(conn, b.sku());
            if (available < b.qty()) {
                throw new BranchRefusedException("out of stock: " + b.sku() + " has " + available + ", needs " + b.qty());
            }
            update(conn, "UPDATE wh_stock SET available = available - ?, reserved = reserved + ? WHERE sku = ?",
                    b.qty(), b.qty(), b.sku());
            update(conn, "INSERT INTO wh_reservation (gid, sku, qty, status) VALUES (?, ?, ?, 'RESERVED')",
                    call.gid(), b.sku(), b.qty());
        });
    }

    private static void settle(Connection conn, String gid, boolean ship) throws SQLException {
        String sku;
        int qty;
        try (PreparedStatement ps = conn.prepareStatement(
                "SELECT sku, qty FROM wh_reservation WHERE gid = ? AND status = 'RESERVED' FOR UPDATE")) {
            ps.setString(1, gid);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("reservation " + gid + " is not RESERVED");
                }
                sku = rs.getString(1);
                qty = rs.getInt(2);
            }
        }
        if (ship) {
            update(conn, "UPDATE wh_stock SET reserved = reserved - ?, shipped = shipped + ? WHERE sku = ?", qty, qty, sku);
        } else {
            update(conn, "UPDATE wh_stock SET reserved = reserved - ?, available = available + ? WHERE sku = ?", qty, qty, sku);
        }
        update(conn, "UPDATE wh_reservation SET status = ? WHERE gid = ?", ship ? "SHIPPED" : "RELEASED", gid);
    }

    private Reply reset(Call call) throws Exception {
        ResetBody b = call.read(ResetBody.class);
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            DemoDatabase.execute(c, "DELETE FROM wh_reservation", "DELETE FROM wh_stock", "DELETE FROM " + Barrier.TABLE);
            for (Map.Entry<String, Integer> e : b.stock().entrySet()) {
                update(c, "INSERT INTO wh_stock (sku, available, reserved, shipped) VALUES (?, ?, 0, 0)",
                        e.getKey(), e.getValue());
            }
            c.commit();
        }
        return Reply.ok(state());
    }

    Map<String, Object> state() throws SQLException {
        Map<String, Object> out = new LinkedHashMap<>();
        try (Connection c = db.getConnection()) {
            Map<String, Map<String, Integer>> stock = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT sku, available, reserved, shipped FROM wh_stock ORDER BY sku");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    stock.put(rs.getString(1), Map.of("available", rs.getInt(2), "reserved", rs.getInt(3),
                            "shipped", rs.getInt(4)));
                }
            }
            List<Map<String, Object>> res = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT gid, sku, qty, status FROM wh_reservation ORDER BY gid");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    res.add(Map.of("gid", rs.getString(1), "sku", rs.getString(2), "qty", rs.getInt(3),
                            "status", rs.getString(4)));
                }
            }
            out.put("stock", stock);
            out.put("reservations", res);
        }
        return out;
    }
}
