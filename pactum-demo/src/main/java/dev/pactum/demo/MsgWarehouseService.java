package dev.pactum.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pactum.api.MessageId;
import dev.pactum.client.msg.MessageProducer;

import javax.sql.DataSource;
import java.net.URI;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import static dev.pactum.demo.PaymentService.update;

/**
 * The warehouse service of the message demo: consumes {@code ship} (ships the goods, or records them out of
 * stock) and answers with a {@code shipment-result} message to the order service, once.
 */
final class MsgWarehouseService extends MsgService {
    MsgWarehouseService(DataSource db, MessageProducer producer, Map<String, URI> sendTo) throws SQLException {
        super(db, producer, "warehouse", sendTo);
        try (Connection c = db.getConnection()) {
            DemoDatabase.execute(c,
                    "CREATE TABLE IF NOT EXISTS mwh_stock (sku VARCHAR(64) PRIMARY KEY, available INT NOT NULL,"
                            + " shipped INT NOT NULL)",
                    "CREATE TABLE IF NOT EXISTS mwh_shipment (order_id VARCHAR(64) PRIMARY KEY, sku VARCHAR(64) NOT NULL,"
                            + " qty INT NOT NULL, status VARCHAR(16) NOT NULL, reason VARCHAR(200), answered INT NOT NULL,"
                            + " ship_gid VARCHAR(128) NOT NULL)");
        }
    }

    @Override
    void effect(Connection conn, MessageId id, JsonNode m) throws Exception {
        if (!m.path("type").asText().equals("ship")) {
            throw new IllegalArgumentException("unknown message type " + m.path("type"));
        }
        String sku = m.path("sku").asText();
        int qty = m.path("qty").asInt();
        Object available = value(conn, "SELECT available FROM mwh_stock WHERE sku = ? FOR UPDATE", sku);
        String reason = available == null ? "unknown product " + sku
                : ((Number) available).intValue() < qty ? "out of stock: " + sku + " has " + available + ", needs "
                + qty : null;
        if (reason == null) {
            update(conn, "UPDATE mwh_stock SET available = available - ?, shipped = shipped + ? WHERE sku = ?",
                    qty, qty, sku);
        }
        update(conn, "INSERT INTO mwh_shipment (order_id, sku, qty, status, reason, answered, ship_gid)"
                + " VALUES (?, ?, ?, ?, ?, 0, ?)", m.path("orderId").asText(), sku, qty,
                reason == null ? "SHIPPED" : "OUT_OF_STOCK", reason, id.gid());
    }

    @Override
    void followUp(JsonNode m) throws Exception {
        answerOnce("mwh_shipment", m.path("orderId").asText(), "shipment-result", "shipped", "SHIPPED");
    }

    @Override
    Map<String, Object> businessState(Connection c) throws SQLException {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> stock = new LinkedHashMap<>();
        for (Map<String, Object> r : rows(c, "SELECT sku, available, shipped FROM mwh_stock ORDER BY sku",
                rs -> Map.of("sku", rs.getString(1), "available", rs.getInt(2), "shipped", rs.getInt(3)))) {
            stock.put((String) r.get("sku"), Map.of("available", r.get("available"), "shipped", r.get("shipped")));
        }
        out.put("stock", stock);
        out.put("shipments", rows(c, "SELECT order_id, sku, qty, status, answered, ship_gid FROM mwh_shipment"
                + " ORDER BY order_id", rs -> Map.of("orderId", rs.getString(1), "sku", rs.getString(2),
                "qty", rs.getInt(3), "status", rs.getString(4), "answered", rs.getInt(5) == 1,
                "shipGid", rs.getString(6))));
        return out;
    }

    @Override
    void resetBusiness(Connection c, JsonNode body) throws SQLException {
        DemoDatabase.execute(c, "DELETE FROM mwh_shipment", "DELETE FROM mwh_stock");
        for (Iterator<Map.Entry<String, JsonNode>> it = body.path("stock").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            update(c, "INSERT INTO mwh_stock (sku, available, shipped) VALUES (?, ?, 0)", e.getKey(),
                    e.getValue().asInt());
        }
    }
}
