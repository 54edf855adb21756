package dev.pactum.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The message demo's checker must see a broken run: a consistent end state passes, and each way of breaking it
 * (a message applied twice, one of a rolled-back transaction delivered, money created, a message left PARKED, an
 * order paid but never shipped) is named in the violations.
 */
class MsgInvariantsTest {
    /** A-1 shipped (pay g1, answer g2, ship g3, answer g4); u-1 refused for money (pay g5, answer g6); A-2 refused locally (g7). */
    private ObjectNode orders;
    private ObjectNode payment;
    private ObjectNode warehouse;
    private Map<String, String> coordinator;

    private void consistent() throws Exception {
        orders = (ObjectNode) DemoJson.MAPPER.readTree("""
                {"orders":[{"orderId":"A-1","status":"SHIPPED","amount":50,"paymentAnswerGid":"g2","shipmentAnswerGid":"g4"},
                           {"orderId":"u-1","status":"FAILED","amount":50,"paymentAnswerGid":"g6"}],
                 "inbox":[{"gid":"g2"},{"gid":"g4"},{"gid":"g6"}],
                 "sent":[{"gid":"g1","origin":"msg"},{"gid":"g3","origin":"msg"},{"gid":"g5","origin":"msg"}]}""");
        payment = (ObjectNode) DemoJson.MAPPER.readTree("""
                {"accounts":{"A":100,"u":10,"merchant":50},
                 "payments":[{"orderId":"A-1","status":"PAID","amount":50,"answered":true,"payGid":"g1"},
                             {"orderId":"u-1","status":"REFUSED","amount":50,"answered":true,"payGid":"g5"}],
                 "inbox":[{"gid":"g1"},{"gid":"g5"}],
                 "sent":[{"gid":"g2","origin":"msg"},{"gid":"g6","origin":"msg"}]}""");
        warehouse = (ObjectNode) DemoJson.MAPPER.readTree("""
                {"stock":{"book":{"available":1,"shipped":1}},
                 "shipments":[{"orderId":"A-1","status":"SHIPPED","qty":1,"answered":true,"shipGid":"g3"}],
                 "inbox":[{"gid":"g3"}],
                 "sent":[{"gid":"g4","origin":"msg"}]}""");
        coordinator = new HashMap<>(Map.of("g1", "COMMITTED", "g2", "COMMITTED", "g3", "COMMITTED", "g4", "COMMITTED",
                "g5", "COMMITTED", "g6", "COMMITTED", "g7", "ABORTED"));
    }

    private List<String> violations() {
        MsgInvariants inv = new MsgInvariants();
        inv.verify(orders, payment, warehouse, coordinator, 160, Map.of("book", 2), List.of("g7"), List.of("A-2"));
        return inv.violations();
    }

    private List<String> violationsAfter(Consumer<MsgInvariantsTest> breakIt) throws Exception {
        consistent();
        breakIt.accept(this);
        return violations();
    }

    @Test
    void aConsistentRunHoldsEveryInvariant() throws Exception {
        consistent();
        assertThat(violations()).isEmpty();
    }

    @Test
    void aMessageAppliedTwiceIsFlagged() throws Exception {
        // the payment applied g1 a second time, as a new payment of another order, with no inbox row for it
        assertThat(violationsAfter(t -> ((ArrayNode) t.payment.get("payments")).add(DemoJson.MAPPER.createObjectNode()
                .put("orderId", "A-1x").put("status", "REFUSED").put("amount", 50).put("answered", true)
                .put("payGid", "g1")))).anyMatch(v -> v.startsWith("every inbox applied each message once")
                && v.contains("applied g1 2 times"));
    }

    @Test
    void aDeliveredMessageOfARolledBackTransactionIsFlagged() throws Exception {
        assertThat(violationsAfter(t -> ((ArrayNode) t.warehouse.get("inbox")).add(
                DemoJson.MAPPER.createObjectNode().put("gid", "g7"))))
                .anyMatch(v -> v.startsWith("every committed message consumed exactly once") && v.contains("g7 ABORTED"));
    }

    @Test
    void moneyCreatedIsFlagged() throws Exception {
        assertThat(violationsAfter(t -> ((ObjectNode) t.payment.get("accounts")).put("A", 150)))
                .anyMatch(v -> v.startsWith("money conserved"));
    }

    @Test
    void aParkedMessageIsFlagged() throws Exception {
        assertThat(violationsAfter(t -> t.coordinator.put("g8", "PARKED")))
                .anyMatch(v -> v.startsWith("nothing ACTIVE, COMMITTING, ABORTING or PARKED") && v.contains("g8"));
    }

    @Test
    void anOrderPaidButNotShippedIsFlagged() throws Exception {
        assertThat(violationsAfter(t -> {
            JsonNode a1 = t.orders.get("orders").get(0);
            ((ObjectNode) a1).put("status", "SHIPPING");
        })).anyMatch(v -> v.contains("A-1 is still SHIPPING"));
    }

    @Test
    void aCommittedMessageWithoutItsProducersRowIsFlagged() throws Exception {
        assertThat(violationsAfter(t -> ((ArrayNode) t.orders.get("sent")).remove(0)))
                .anyMatch(v -> v.startsWith("a message committed if and only if") && v.contains("g1"));
    }
}
