package dev.pactum.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pactum.api.InvalidInputException;
import dev.pactum.api.MessageId;
import dev.pactum.client.barrier.Barrier;
import dev.pactum.client.inbox.Inbox;
import dev.pactum.client.inbox.InboxResult;
import dev.pactum.client.msg.MessageProducer;
import dev.pactum.demo.ServiceHttp.Handler;
import dev.pactum.demo.ServiceHttp.Reply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What the three services of the message demo ({@code --pattern msg}) share: each consumes its messages through
 * its {@link Inbox} and answers by a message of its own ({@link MessageProducer}), never by a call.
 *
 * <p>Consuming a message is two local transactions, and the delivery is acknowledged only after both:
 * <ol>
 *   <li>the inbox applies the effect once ({@link #effect}, e.g. debit the balance and record the payment);</li>
 *   <li>{@link #followUp} sends the next message (the answer) with a compare-and-set as its local work (e.g.
 *       {@code answered 0 -> 1}): a redelivery of step 1's message finds the inbox row (ALREADY_APPLIED) and runs
 *       step 2 again, whose compare-and-set then changes nothing, so the answer is sent exactly once even when the
 *       process died between the two steps, or two deliveries of the message race.</li>
 * </ol>
 * One transaction for both would need the inbox row inside the producer's local transaction, which the SDK does
 * not offer; the compare-and-set gives the same "once" with the two as they are.
 */
abstract class MsgService {
    private static final Logger log = LoggerFactory.getLogger(MsgService.class);

    final DataSource db;
    final Inbox inbox;
    final MessageProducer producer;
    private final Map<String, URI> sendTo;

    /** The next message was sent already (its compare-and-set found nothing to change): nothing to do. */
    static final class AlreadySent extends RuntimeException {
        AlreadySent() {
            super("already sent", null, false, false);
        }
    }

    /**
     * @param db       this service's own database (inbox, barrier and business tables)
     * @param producer this service's producer of messages, over {@code db}
     * @param sendTo   the destination URI of each service this one sends to, by role
     */
    MsgService(DataSource db, MessageProducer producer, String consumer, Map<String, URI> sendTo) {
        this.db = db;
        this.producer = producer;
        this.inbox = Inbox.forDataSource(db).forConsumer(consumer);
        this.sendTo = Map.copyOf(sendTo);
        producer.createSchemaIfMissing();
        inbox.createSchemaIfMissing();
    }

    /** The business effect of one message, inside the inbox's local transaction. */
    abstract void effect(Connection conn, MessageId id, JsonNode message) throws Exception;

    /** What is sent once the effect is committed (the answer, or the next step); may send nothing. */
    abstract void followUp(JsonNode message) throws Exception;

    /** This service's business tables, for {@code GET /state}. */
    abstract Map<String, Object> businessState(Connection c) throws SQLException;

    /** Empties the business tables and loads the given start state. */
    abstract void resetBusiness(Connection c, JsonNode body) throws SQLException;

    /**
     * One delivered message, from any transport: applied once, then followed up.
     *
     * @return whether the delivery may be acknowledged: the effect and the follow-up are committed
     */
    final Consumed consume(MessageId id, byte[] payload) {
        JsonNode message;
        try {
            message = DemoJson.MAPPER.readTree(payload);
        } catch (java.io.IOException e) {
            // Never becomes readable. A broker's consumer rejects it without requeue; over HTTP the 409 is retried by
            // the coordinator like any failure (a decided message must be delivered), visible in its lastError.
            return Consumed.REFUSED;
        }
        try {
            InboxResult r = inbox.apply(id, conn -> effect(conn, id, message));
            if (!r.acknowledge()) {
                return r == InboxResult.REFUSED ? Consumed.REFUSED : Consumed.RETRY;
            }
            followUp(message);
            return Consumed.DONE;
        } catch (Exception e) {
            // Not acknowledged: the redelivery finds the inbox row if the effect committed, and follows up again.
            log.warn("message {} ({}): not consumed yet, left to the redelivery: {}", id.wire(),
                    message.path("type").asText(), e.toString());
            return Consumed.RETRY;
        }
    }

    /** How a delivery ended for the transport: acknowledge, redeliver later, or drop. */
    enum Consumed {
        DONE(200), RETRY(503), REFUSED(409);

        final int httpStatus;

        Consumed(int httpStatus) {
            this.httpStatus = httpStatus;
        }
    }

    /**
     * Sends {@code message} to the service {@code to} with {@code casSql} (an UPDATE of one row, by
     * {@code args}) as the local transaction: the message goes if and only if the update changed the row now.
     */
    final void sendOnce(String to, Map<String, Object> message, String casSql, Object... args) throws Exception {
        try {
            producer.send(destination(to), DemoJson.MAPPER.writeValueAsString(message), conn -> {
                if (PaymentService.update(conn, casSql, args) != 1) {
                    throw new AlreadySent();
                }
            });
        } catch (AlreadySent e) {
            // an earlier delivery of the message being followed up sent it: its half message is aborted
        }
    }

    /**
     * Answers the message about {@code orderId} to the order service, once: the row's {@code answered} 0 -> 1 in
     * {@code table} is the answer's local transaction. The answer says {@code okField} = whether the row's status is
     * {@code okStatus}, with the row's reason.
     */
    final void answerOnce(String table, String orderId, String type, String okField, String okStatus) throws Exception {
        Map<String, Object> answer = new LinkedHashMap<>();
        try (Connection c = db.getConnection()) {
            List<Map<String, Object>> row = rows(c, "SELECT answered, status, reason FROM " + table
                    + " WHERE order_id = ?", rs -> {
                        Map<String, Object> m = new HashMap<>();
                        m.put("answered", rs.getInt(1) == 1);
                        m.put("status", rs.getString(2));
                        m.put("reason", rs.getString(3));
                        return m;
                    }, orderId);
            if (row.isEmpty() || (Boolean) row.get(0).get("answered")) {
                return; // a redelivery after the answer went
            }
            answer.put("type", type);
            answer.put("orderId", orderId);
            answer.put(okField, okStatus.equals(row.get(0).get("status")));
            answer.put("reason", row.get(0).get("reason"));
        }
        sendOnce("order", answer, "UPDATE " + table + " SET answered = 1 WHERE order_id = ? AND answered = 0", orderId);
    }

    final String destination(String to) {
        URI uri = sendTo.get(to);
        if (uri == null) {
            throw new IllegalStateException("no destination for " + to + " (--send-to)");
        }
        return uri.toString();
    }

    /** This service's HTTP routes: {@link #baseRoutes} and its own. */
    Map<String, Handler> routes() {
        return baseRoutes();
    }

    /** The routes every message-demo service has: deliveries (HTTP transport), check-back, state, reset, health. */
    final Map<String, Handler> baseRoutes() {
        Map<String, Handler> routes = new HashMap<>();
        routes.put("POST /msg/inbox", call -> {
            MessageId id;
            try {
                id = MessageId.fromHeaders(headerOf(call));
            } catch (InvalidInputException e) {
                return Reply.error(400, "invalid_input", e.getMessage());
            }
            Consumed c = consume(id, call.body());
            return new Reply(c.httpStatus, Map.of("result", c.name()));
        });
        routes.put("POST /pactum/check", call -> {
            try {
                return new Reply(producer.checkFromHeaders(headerOf(call)).httpStatus(), Map.of());
            } catch (InvalidInputException e) {
                return Reply.error(400, "invalid_input", e.getMessage());
            }
        });
        routes.put("GET /state", call -> Reply.ok(state()));
        routes.put("POST /admin/reset", call -> {
            try (Connection c = db.getConnection()) {
                c.setAutoCommit(false);
                // only this service's rows: services may share a database (different tables, one inbox table)
                PaymentService.update(c, "DELETE FROM " + Inbox.TABLE + " WHERE consumer = ?", inbox.consumer());
                DemoDatabase.execute(c, "DELETE FROM " + Barrier.TABLE + " WHERE op = 'msg'");
                resetBusiness(c, DemoJson.MAPPER.readTree(call.body().length == 0 ? "{}".getBytes() : call.body()));
                c.commit();
            }
            return Reply.ok(state());
        });
        routes.put("GET /health", call -> Reply.ok(Map.of("status", "UP")));
        return routes;
    }

    private static Function<String, String> headerOf(ServiceHttp.Call call) {
        return name -> call.headers().getFirst(name);
    }

    /** Business tables, plus the inbox's rows and the barrier's message rows: what the invariants count. */
    final Map<String, Object> state() throws SQLException {
        Map<String, Object> out = new LinkedHashMap<>();
        try (Connection c = db.getConnection()) {
            out.putAll(businessState(c));
            out.put("inbox", rows(c, "SELECT gid, branch_id FROM " + Inbox.TABLE + " WHERE consumer = ? ORDER BY gid",
                    rs -> Map.of("gid", rs.getString(1), "branchId", rs.getString(2)), inbox.consumer()));
            out.put("sent", rows(c, "SELECT gid, origin_op FROM " + Barrier.TABLE + " WHERE op = 'msg' ORDER BY gid",
                    rs -> Map.of("gid", rs.getString(1), "origin", rs.getString(2))));
        }
        return out;
    }

    @FunctionalInterface
    interface Row {
        Map<String, Object> read(ResultSet rs) throws SQLException;
    }

    static List<Map<String, Object>> rows(Connection c, String sql, Row row, Object... args) throws SQLException {
        List<Map<String, Object>> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(row.read(rs));
                }
            }
        }
        return out;
    }

    /** One value of one row, or null when there is no row. */
    static Object value(Connection c, String sql, Object... args) throws SQLException {
        List<Map<String, Object>> r = rows(c, sql, rs -> {
            Map<String, Object> m = new HashMap<>();
            m.put("v", rs.getObject(1));
            return m;
        }, args);
        return r.isEmpty() ? null : r.get(0).get("v");
    }
}
