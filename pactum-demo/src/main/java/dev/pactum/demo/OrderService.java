package dev.pactum.demo;

import dev.pactum.api.BranchOp;
import dev.pactum.api.GlobalStatus;
import dev.pactum.api.PactumException;
import dev.pactum.api.TransactionView;
import dev.pactum.client.PactumClient;
import dev.pactum.client.TryFailedException;
import dev.pactum.client.barrier.Barrier;
import dev.pactum.demo.ServiceHttp.Call;
import dev.pactum.demo.ServiceHttp.Handler;
import dev.pactum.demo.ServiceHttp.Reply;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.pactum.demo.PaymentService.update;

/**
 * The order service of the seeds. It is the transaction manager of a purchase: {@code POST /orders} begins a
 * TCC transaction, calls the Try of its own order branch, of the payment and of the warehouse, and submits;
 * any refusal aborts. The coordinator then Confirms (order PAID, money to the merchant, goods shipped) or Cancels
 * (order CANCELLED, money and stock released) every branch.
 */
final class OrderService extends TccParticipant {
    record PlaceOrder(String userId, String sku, int qty, long amount) {
    }

    record TryBody(String userId, String sku, int qty, long amount) {
    }

    private final PactumClient pactum;
    private final String self;
    private final String payment;
    private final String warehouse;

    private final boolean xa;

    OrderService(DataSource db, PactumClient pactum, String self, String payment, String warehouse, boolean xa)
            throws SQLException {
        super(db);
        this.xa = xa;
        this.pactum = pactum;
        this.self = self;
        this.payment = payment;
        this.warehouse = warehouse;
        try (Connection c = db.getConnection()) {
            DemoDatabase.execute(c, "CREATE TABLE IF NOT EXISTS ord_order (gid VARCHAR(64) PRIMARY KEY,"
                    + " user_id VARCHAR(64) NOT NULL, sku VARCHAR(64) NOT NULL, qty INT NOT NULL, amount BIGINT NOT NULL,"
                    + " status VARCHAR(16) NOT NULL)");
        }
    }

    Map<String, Handler> routes() {
        return Map.of(
                "POST /orders", this::place,
                "POST /tcc/order/try", this::create,
                "POST /tcc/order/confirm", c -> branch(c, BranchOp.CONFIRM, conn -> settle(conn, c.gid(), "PAID")),
                "POST /tcc/order/cancel", c -> branch(c, BranchOp.CANCEL, conn -> settle(conn, c.gid(), "CANCELLED")),
                "POST /admin/reset", this::reset,
                "GET /state", c -> Reply.ok(state()),
                "GET /health", c -> Reply.ok(Map.of("status", "UP")));
    }

    /** XA: the order row is written inside this service's own XA branch. */
    Map<String, Handler> xaRoutes(XaAgent agent) {
        return Map.of("POST /xa/order/create", call -> {
            TryBody b = call.read(TryBody.class);
            return agent.work(call, conn -> update(conn,
                    "INSERT INTO ord_order (gid, user_id, sku, qty, amount, status) VALUES (?, ?, ?, ?, ?, 'PAID')",
                    call.gid(), b.userId(), b.sku(), b.qty(), b.amount()));
        });
    }

    /** The purchase: one global transaction (TCC or XA) over order, payment and warehouse. */
    private Reply place(Call call) throws Exception {
        PlaceOrder o = call.read(PlaceOrder.class);
        if (o.userId() == null || o.sku() == null || o.qty() <= 0 || o.amount() <= 0) {
            return Reply.error(400, "invalid_input", "userId, sku, a positive qty and a positive amount are required");
        }
        String tryBody = DemoJson.MAPPER.writeValueAsString(new TryBody(o.userId(), o.sku(), o.qty(), o.amount()));
        return xa ? placeXa(tryBody) : placeTcc(tryBody);
    }

    private Reply placeXa(String body) {
        String[] gid = new String[1];
        try {
            TransactionView v = pactum.xa(Duration.ofSeconds(30), tx -> {
                gid[0] = tx.gid();
                tx.call("order", self + "/xa", self + "/xa/order/create", body);
                tx.call("payment", payment + "/xa", payment + "/xa/payment/pay", body);
                tx.call("warehouse", warehouse + "/xa", warehouse + "/xa/stock/ship", body);
            });
            boolean committed = v.status() == GlobalStatus.COMMITTING || v.status() == GlobalStatus.COMMITTED;
            return new Reply(committed ? 200 : 409, Map.of("gid", v.gid(), "status", v.status().name(),
                    "reason", String.valueOf(v.reason())));
        } catch (PactumException e) {
            return notCommitted(e, gid[0]);
        }
    }

    private Reply placeTcc(String tryBody) {
        String[] gid = new String[1];
        try {
            TransactionView v = pactum.tcc(Duration.ofSeconds(30), tx -> {
                gid[0] = tx.gid();
                tx.tryBranch("order", self + "/tcc/order/try", self + "/tcc/order/confirm", self + "/tcc/order/cancel",
                        tryBody);
                tx.tryBranch("payment", payment + "/tcc/payment/try", payment + "/tcc/payment/confirm",
                        payment + "/tcc/payment/cancel", tryBody);
                tx.tryBranch("warehouse", warehouse + "/tcc/stock/try", warehouse + "/tcc/stock/confirm",
                        warehouse + "/tcc/stock/cancel", tryBody);
            });
            return Reply.ok(Map.of("gid", v.gid(), "status", v.status().name()));
        } catch (PactumException e) {
            return notCommitted(e, gid[0]);
        }
    }

    /** A refused branch aborts the purchase (409); any other failure leaves its outcome unknown (503). */
    private static Reply notCommitted(PactumException e, String gid) {
        if (e instanceof TryFailedException t) {
            return new Reply(409, Map.of("gid", t.gid(), "status", "ABORTING", "branch", t.branchId(),
                    "reason", t.getMessage()));
        }
        return new Reply(503, Map.of("gid", gid == null ? "" : gid, "status", "UNKNOWN",
                "reason", String.valueOf(e.getMessage())));
    }

    private Reply create(Call call) throws Exception {
        TryBody b = call.read(TryBody.class);
        return branch(call, BranchOp.TRY, conn -> update(conn,
                "INSERT INTO ord_order (gid, user_id, sku, qty, amount, status) VALUES (?, ?, ?, ?, ?, 'PENDING')",
                call.gid(), b.userId(), b.sku(), b.qty(), b.amount()));
    }

    private static void settle(Connection conn, String gid, String status) throws SQLException {
        if (update(conn, "UPDATE ord_order SET status = ? WHERE gid = ? AND status = 'PENDING'", status, gid) != 1) {
            throw new SQLException("order " + gid + " is not PENDING, cannot make it " + status);
        }
    }

    private Reply reset(Call call) throws Exception {
        try (Connection c = db.getConnection()) {
            DemoDatabase.execute(c, "DELETE FROM ord_order", "DELETE FROM " + Barrier.TABLE);
        }
        return Reply.ok(state());
    }

    Map<String, Object> state() throws SQLException {
        List<Map<String, Object>> orders = new ArrayList<>();
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT gid, user_id, sku, qty, amount, status FROM ord_order ORDER BY gid");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                orders.add(Map.of("gid", rs.getString(1), "userId", rs.getString(2), "sku", rs.getString(3),
                        "qty", rs.getInt(4), "amount", rs.getLong(5), "status", rs.getString(6)));
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("orders", orders);
        return out;
    }
}
