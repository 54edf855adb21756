package dev.pactum.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pactum.api.MessageId;
import dev.pactum.api.PactumException;
import dev.pactum.client.msg.MessageException;
import dev.pactum.client.msg.MessageProducer;
import dev.pactum.client.msg.SendResult;
import dev.pactum.demo.ServiceHttp.Call;
import dev.pactum.demo.ServiceHttp.Handler;
import dev.pactum.demo.ServiceHttp.Reply;

import javax.sql.DataSource;
import java.net.URI;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import static dev.pactum.demo.PaymentService.update;

/**
 * The order service of the message demo, seed 000's steps 1-7. {@code POST /orders} creates the order and sends
 * the payment request in one {@link MessageProducer#send}: the half message first ("to confirm"), the order row in
 * the local transaction, then the submit ("sendable"). It consumes the answers:
 *
 * <pre>
 *   PAYING --payment-result paid--> PAID --(ship message, once)--> SHIPPING --shipped--> SHIPPED
 *     |                                                               |
 *     +--refused--> FAILED                                            +--out of stock--> OUT_OF_STOCK
 *                                        FAILED <--(refund message, once)--+
 * </pre>
 *
 * Each arrow with a message sent is a {@link #sendOnce}: the status compare-and-set is the message's local
 * transaction, so a redelivered answer never sends the next message twice.
 */
final class MsgOrderService extends MsgService {
    /** Orders above this are refused by the order service itself, inside its local transaction (rolled back). */
    static final long ORDER_LIMIT = 1000;
    private static final Pattern ORDER_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    record PlaceOrder(String orderId, String userId, String sku, int qty, long amount, boolean crashAfterLocalCommit) {
    }

    /** The order service's own refusal: a checked exception, so the SDK wraps it with the message's gid. */
    static final class OrderRefusedException extends Exception {
        OrderRefusedException(String message) {
            super(message);
        }
    }

    private final boolean failpointArmed;

    MsgOrderService(DataSource db, MessageProducer producer, Map<String, URI> sendTo, boolean failpointArmed)
            throws SQLException {
        super(db, producer, "order", sendTo);
        this.failpointArmed = failpointArmed;
        try (Connection c = db.getConnection()) {
            DemoDatabase.execute(c, "CREATE TABLE IF NOT EXISTS mord_order (order_id VARCHAR(64) PRIMARY KEY,"
                    + " user_id VARCHAR(64) NOT NULL, sku VARCHAR(64) NOT NULL, qty INT NOT NULL, amount BIGINT NOT NULL,"
                    + " status VARCHAR(16) NOT NULL, reason VARCHAR(200), payment_answer_gid VARCHAR(128),"
                    + " shipment_answer_gid VARCHAR(128))");
        }
    }

    @Override
    Map<String, Handler> routes() {
        Map<String, Handler> routes = new java.util.HashMap<>(baseRoutes());
        routes.put("POST /orders", this::place);
        return routes;
    }

    private Reply place(Call call) throws Exception {
        PlaceOrder o = call.read(PlaceOrder.class);
        if (o.orderId() == null || !ORDER_ID.matcher(o.orderId()).matches() || o.userId() == null || o.sku() == null
                || o.qty() <= 0 || o.amount() <= 0) {
            return Reply.error(400, "invalid_input",
                    "orderId (1-64 of A-Z a-z 0-9 . _ -), userId, sku, a positive qty and a positive amount are required");
        }
        if (o.crashAfterLocalCommit() && !failpointArmed) {
            return Reply.error(400, "invalid_input", "crashAfterLocalCommit needs --failpoint " + PauseAfterCommit.NAME);
        }
        Map<String, Object> pay = new LinkedHashMap<>();
        pay.put("type", "pay");
        pay.put("orderId", o.orderId());
        pay.put("userId", o.userId());
        pay.put("amount", o.amount());
        String payload = DemoJson.MAPPER.writeValueAsString(pay);
        try {
            SendResult r = o.crashAfterLocalCommit()
                    ? PauseAfterCommit.armed(() -> producer.send(destination("payment"), payload, conn -> create(conn, o)))
                    : producer.send(destination("payment"), payload, conn -> create(conn, o));
            return Reply.ok(Map.of("orderId", o.orderId(), "gid", r.gid(), "message", r.state().name()));
        } catch (MessageException e) {
            boolean refused = e.getCause() instanceof OrderRefusedException;
            return new Reply(refused ? 409 : 503, Map.of("orderId", o.orderId(), "gid", String.valueOf(e.gid()),
                    "reason", String.valueOf(refused ? e.getCause().getMessage() : e.getMessage())));
        } catch (PactumException e) {
            return new Reply(503, Map.of("orderId", o.orderId(), "reason", String.valueOf(e.getMessage())));
        }
    }

    /** The local work of an order: the row, then the order service's own rule (after the insert: it rolls back). */
    private static void create(Connection conn, PlaceOrder o) throws Exception {
        update(conn, "INSERT INTO mord_order (order_id, user_id, sku, qty, amount, status) VALUES (?, ?, ?, ?, ?,"
                + " 'PAYING')", o.orderId(), o.userId(), o.sku(), o.qty(), o.amount());
        if (o.amount() > ORDER_LIMIT) {
            throw new OrderRefusedException("order " + o.orderId() + " of " + o.amount() + " is over the limit of "
                    + ORDER_LIMIT + " for one order");
        }
    }

    @Override
    void effect(Connection conn, MessageId id, JsonNode m) throws Exception {
        String order = m.path("orderId").asText();
        int changed = switch (m.path("type").asText()) {
            case "payment-result" -> update(conn, "UPDATE mord_order SET status = ?, reason = ?, payment_answer_gid = ?"
                    + " WHERE order_id = ? AND status = 'PAYING'", m.path("paid").asBoolean() ? "PAID" : "FAILED",
                    m.path("reason").isNull() ? null : m.path("reason").asText(), id.gid(), order);
            case "shipment-result" -> update(conn, "UPDATE mord_order SET status = ?, reason = ?,"
                    + " shipment_answer_gid = ? WHERE order_id = ? AND status = 'SHIPPING'",
                    m.path("shipped").asBoolean() ? "SHIPPED" : "OUT_OF_STOCK",
                    m.path("reason").isNull() ? null : m.path("reason").asText(), id.gid(), order);
            default -> throw new IllegalArgumentException("unknown message type " + m.path("type"));
        };
        if (changed != 1) {
            throw new IllegalStateException(m.path("type").asText() + " for order " + order + ", which is not waiting"
                    + " for it");
        }
    }

    /** PAID: ask the warehouse to ship; OUT_OF_STOCK: ask payment to refund, and the order has failed. */
    @Override
    void followUp(JsonNode m) throws Exception {
        String order = m.path("orderId").asText();
        String status;
        String sku;
        int qty;
        try (Connection c = db.getConnection()) {
            status = (String) value(c, "SELECT status FROM mord_order WHERE order_id = ?", order);
            sku = (String) value(c, "SELECT sku FROM mord_order WHERE order_id = ?", order);
            qty = ((Number) value(c, "SELECT qty FROM mord_order WHERE order_id = ?", order)).intValue();
        }
        if ("PAID".equals(status)) {
            sendOnce("warehouse", Map.of("type", "ship", "orderId", order, "sku", sku, "qty", qty),
                    "UPDATE mord_order SET status = 'SHIPPING' WHERE order_id = ? AND status = 'PAID'", order);
        } else if ("OUT_OF_STOCK".equals(status)) {
            sendOnce("payment", Map.of("type", "refund", "orderId", order),
                    "UPDATE mord_order SET status = 'FAILED' WHERE order_id = ? AND status = 'OUT_OF_STOCK'", order);
        }
    }

    @Override
    Map<String, Object> businessState(Connection c) throws SQLException {
        return Map.of("orders", rows(c, "SELECT order_id, user_id, sku, qty, amount, status, reason,"
                + " payment_answer_gid, shipment_answer_gid FROM mord_order ORDER BY order_id", rs -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("orderId", rs.getString(1));
                    m.put("userId", rs.getString(2));
                    m.put("sku", rs.getString(3));
                    m.put("qty", rs.getInt(4));
                    m.put("amount", rs.getLong(5));
                    m.put("status", rs.getString(6));
                    m.put("reason", rs.getString(7));
                    m.put("paymentAnswerGid", rs.getString(8));
                    m.put("shipmentAnswerGid", rs.getString(9));
                    return m;
                }));
    }

    @Override
    void resetBusiness(Connection c, JsonNode body) throws SQLException {
        DemoDatabase.execute(c, "DELETE FROM mord_order");
    }
}
