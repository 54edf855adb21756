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

import static dev.pactum.demo.PaymentService.MERCHANT;
import static dev.pactum.demo.PaymentService.update;

/**
 * The payment service of the message demo. Consumes {@code pay} (debit the user, credit the merchant, or refuse
 * for lack of money) and {@code refund} (give it back: the goods could not ship); answers a {@code pay} with a
 * {@code payment-result} message to the order service, once ({@code answered} 0 -> 1).
 */
final class MsgPaymentService extends MsgService {
    MsgPaymentService(DataSource db, MessageProducer producer, Map<String, URI> sendTo) throws SQLException {
        super(db, producer, "payment", sendTo);
        try (Connection c = db.getConnection()) {
            DemoDatabase.execute(c,
                    "CREATE TABLE IF NOT EXISTS mpay_account (user_id VARCHAR(64) PRIMARY KEY, balance BIGINT NOT NULL)",
                    // pay_gid / refund_gid: the message that caused each effect, which the invariants match with
                    // the inbox's rows
                    "CREATE TABLE IF NOT EXISTS mpay_record (order_id VARCHAR(64) PRIMARY KEY, user_id VARCHAR(64)"
                            + " NOT NULL, amount BIGINT NOT NULL, status VARCHAR(16) NOT NULL, reason VARCHAR(200),"
                            + " answered INT NOT NULL, pay_gid VARCHAR(128) NOT NULL, refund_gid VARCHAR(128))");
        }
    }

    @Override
    void effect(Connection conn, MessageId id, JsonNode m) throws Exception {
        String order = m.path("orderId").asText();
        switch (m.path("type").asText()) {
            case "pay" -> {
                String user = m.path("userId").asText();
                long amount = m.path("amount").asLong();
                Object balance = value(conn, "SELECT balance FROM mpay_account WHERE user_id = ? FOR UPDATE", user);
                String reason = balance == null ? "no account for user " + user
                        : ((Number) balance).longValue() < amount ? "insufficient funds: " + user + " has " + balance
                        + ", needs " + amount : null;
                if (reason == null) {
                    update(conn, "UPDATE mpay_account SET balance = balance - ? WHERE user_id = ?", amount, user);
                    update(conn, "UPDATE mpay_account SET balance = balance + ? WHERE user_id = ?", amount, MERCHANT);
                }
                update(conn, "INSERT INTO mpay_record (order_id, user_id, amount, status, reason, answered, pay_gid)"
                        + " VALUES (?, ?, ?, ?, ?, 0, ?)", order, user, amount, reason == null ? "PAID" : "REFUSED",
                        reason, id.gid());
            }
            case "refund" -> {
                if (update(conn, "UPDATE mpay_record SET status = 'REFUNDED', refund_gid = ? WHERE order_id = ?"
                        + " AND status = 'PAID'", id.gid(), order) != 1) {
                    throw new IllegalStateException("refund of order " + order + ", which is not PAID");
                }
                Object user = value(conn, "SELECT user_id FROM mpay_record WHERE order_id = ?", order);
                Object amount = value(conn, "SELECT amount FROM mpay_record WHERE order_id = ?", order);
                update(conn, "UPDATE mpay_account SET balance = balance + ? WHERE user_id = ?", amount, user);
                update(conn, "UPDATE mpay_account SET balance = balance - ? WHERE user_id = ?", amount, MERCHANT);
            }
            default -> throw new IllegalArgumentException("unknown message type " + m.path("type"));
        }
    }

    /** A {@code pay} is answered; a refund is not (the order has already failed). */
    @Override
    void followUp(JsonNode m) throws Exception {
        if (m.path("type").asText().equals("pay")) {
            answerOnce("mpay_record", m.path("orderId").asText(), "payment-result", "paid", "PAID");
        }
    }

    @Override
    Map<String, Object> businessState(Connection c) throws SQLException {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> accounts = new LinkedHashMap<>();
        for (Map<String, Object> r : rows(c, "SELECT user_id, balance FROM mpay_account ORDER BY user_id",
                rs -> Map.of("u", rs.getString(1), "b", rs.getLong(2)))) {
            accounts.put((String) r.get("u"), r.get("b"));
        }
        out.put("accounts", accounts);
        out.put("payments", rows(c, "SELECT order_id, user_id, amount, status, answered, pay_gid, refund_gid"
                + " FROM mpay_record ORDER BY order_id", rs -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("orderId", rs.getString(1));
                    m.put("userId", rs.getString(2));
                    m.put("amount", rs.getLong(3));
                    m.put("status", rs.getString(4));
                    m.put("answered", rs.getInt(5) == 1);
                    m.put("payGid", rs.getString(6));
                    m.put("refundGid", rs.getString(7));
                    return m;
                }));
        return out;
    }

    @Override
    void resetBusiness(Connection c, JsonNode body) throws SQLException {
        DemoDatabase.execute(c, "DELETE FROM mpay_record", "DELETE FROM mpay_account");
        update(c, "INSERT INTO mpay_account (user_id, balance) VALUES (?, 0)", MERCHANT);
        for (Iterator<Map.Entry<String, JsonNode>> it = body.path("accounts").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            update(c, "INSERT INTO mpay_account (user_id, balance) VALUES (?, ?)", e.getKey(), e.getValue().asLong());
        }
    }
}
