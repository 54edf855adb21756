package dev.pactum.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pactum.api.GlobalStatus;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The checks of the message demo, on the three services' own databases (their {@code GET /state}: business
 * tables, inbox rows, barrier rows of the messages they sent) and the coordinator's record of every message of the
 * run, after everything settled. Each violated rule adds a sentence naming the rule and the ids concerned.
 */
final class MsgInvariants extends Checks {
    static final List<GlobalStatus> UNFINISHED = List.of(GlobalStatus.ACTIVE, GlobalStatus.COMMITTING,
            GlobalStatus.ABORTING, GlobalStatus.PARKED);

    /**
     * @param statusByGid      the coordinator's status of every message of the run
     * @param refusedGids      messages whose local transaction the order service rolled back
     * @param refusedOrderIds  the orders of those messages
     */
    void verify(JsonNode orders, JsonNode payment, JsonNode warehouse, Map<String, String> statusByGid,
                long initialMoney, Map<String, Integer> initialStock, Collection<String> refusedGids,
                Collection<String> refusedOrderIds) {
        long money = 0;
        for (Iterator<JsonNode> it = payment.path("accounts").elements(); it.hasNext(); ) {
            money += it.next().asLong();
        }
        check(money == initialMoney, "money conserved", "total is " + money + ", was " + initialMoney);

        StringBuilder stockDetail = new StringBuilder();
        for (Map.Entry<String, Integer> e : initialStock.entrySet()) {
            JsonNode s = warehouse.path("stock").path(e.getKey());
            int available = s.path("available").asInt();
            int total = available + s.path("shipped").asInt();
            if (total != e.getValue() || available < 0) {
                stockDetail.append(e.getKey()).append(": ").append(available).append(" available + ")
                        .append(s.path("shipped").asInt()).append(" shipped, was ").append(e.getValue()).append("; ");
            }
        }
        check(stockDetail.isEmpty(), "stock conserved", stockDetail.toString());

        Map<String, JsonNode> pay = byOrder(payment.path("payments"));
        Map<String, JsonNode> ship = byOrder(warehouse.path("shipments"));
        Map<String, JsonNode> ord = byOrder(orders.path("orders"));
        List<String> bad = new ArrayList<>();
        long shippedAmount = 0;
        for (JsonNode o : ord.values()) {
            String id = o.path("orderId").asText();
            String p = status(pay.get(id));
            String s = status(ship.get(id));
            switch (o.path("status").asText()) {
                case "SHIPPED" -> {
                    shippedAmount += o.path("amount").asLong();
                    if (!p.equals("PAID") || !s.equals("SHIPPED")) {
                        bad.add(id + " is SHIPPED but payment " + p + ", shipment " + s);
                    }
                }
                case "FAILED" -> {
                    boolean neverTaken = (p.equals("REFUSED") || p.equals("none")) && s.equals("none");
                    boolean returned = p.equals("REFUNDED") && s.equals("OUT_OF_STOCK");
                    if (!neverTaken && !returned) {
                        bad.add(id + " is FAILED but payment " + p + ", shipment " + s);
                    }
                }
                default -> bad.add(id + " is still " + o.path("status").asText());
            }
        }
        check(bad.isEmpty(), "every order shipped and paid, or failed with its money returned or never taken",
                String.join("; ", bad));

        List<String> orphans = new ArrayList<>();
        pay.keySet().stream().filter(id -> !ord.containsKey(id)).forEach(id -> orphans.add("payment of " + id));
        ship.keySet().stream().filter(id -> !ord.containsKey(id)).forEach(id -> orphans.add("shipment of " + id));
        for (String id : refusedOrderIds) {
            if (ord.containsKey(id) || pay.containsKey(id)) {
                orphans.add("order " + id + ", refused in its local transaction, has an order row or a payment");
            }
        }
        check(orphans.isEmpty(), "no payment or shipment without its order; nothing of a refused order",
                String.join("; ", orphans));

        long merchant = payment.path("accounts").path(PaymentService.MERCHANT).asLong(-1);
        check(merchant == shippedAmount, "merchant received exactly the shipped orders",
                "merchant has " + merchant + ", shipped orders total " + shippedAmount);

        List<String> unanswered = new ArrayList<>();
        pay.values().stream().filter(r -> !r.path("answered").asBoolean()).forEach(r -> unanswered.add("payment of "
                + r.path("orderId").asText()));
        ship.values().stream().filter(r -> !r.path("answered").asBoolean()).forEach(r -> unanswered.add("shipment of "
                + r.path("orderId").asText()));
        check(unanswered.isEmpty(), "every payment and shipment answered by message", String.join("; ", unanswered));

        inboxes(orders, payment, warehouse, pay, ship, ord);
        delivery(orders, payment, warehouse, statusByGid, refusedGids);
    }

    /** Each inbox holds exactly the messages whose effect its service recorded: each applied once. */
    private void inboxes(JsonNode orders, JsonNode payment, JsonNode warehouse, Map<String, JsonNode> pay,
                         Map<String, JsonNode> ship, Map<String, JsonNode> ord) {
        List<String> bad = new ArrayList<>();
        compare("payment", gids(payment.path("inbox")), effects(pay.values(), "payGid", "refundGid"), bad);
        compare("warehouse", gids(warehouse.path("inbox")), effects(ship.values(), "shipGid"), bad);
        compare("order", gids(orders.path("inbox")), effects(ord.values(), "paymentAnswerGid", "shipmentAnswerGid"), bad);
        check(bad.isEmpty(), "every inbox applied each message once (inbox rows = effects, one each)",
                String.join("; ", bad));
    }

    private static void compare(String service, List<String> inbox, List<String> effects, List<String> bad) {
        Map<String, Integer> in = counts(inbox);
        Map<String, Integer> eff = counts(effects);
        in.forEach((g, n) -> {
            if (n != 1) {
                bad.add(service + " inbox holds " + g + " " + n + " times");
            }
        });
        eff.forEach((g, n) -> {
            if (n != 1) {
                bad.add(service + " applied " + g + " " + n + " times");
            }
        });
        if (!in.keySet().equals(eff.keySet())) {
            Set<String> onlyIn = new HashSet<>(in.keySet());
            onlyIn.removeAll(eff.keySet());
            Set<String> onlyEff = new HashSet<>(eff.keySet());
            onlyEff.removeAll(in.keySet());
            bad.add(service + ": inbox rows without an effect " + onlyIn + ", effects without an inbox row " + onlyEff);
        }
    }

    /**
     * A message is delivered (in some inbox) if and only if the coordinator committed it, and it is committed if
     * and only if its producer's local transaction committed (the barrier row of origin {@code msg}); nothing is
     * left unfinished at the coordinator.
     */
    private void delivery(JsonNode orders, JsonNode payment, JsonNode warehouse, Map<String, String> statusByGid,
                          Collection<String> refusedGids) {
        Map<String, Integer> consumed = counts(concat(gids(orders.path("inbox")), gids(payment.path("inbox")),
                gids(warehouse.path("inbox"))));
        Set<String> committedLocally = new HashSet<>();
        for (JsonNode state : List.of(orders, payment, warehouse)) {
            for (JsonNode row : state.path("sent")) {
                if (row.path("origin").asText().equals("msg")) {
                    committedLocally.add(row.path("gid").asText());
                }
            }
        }
        List<String> bad = new ArrayList<>();
        List<String> barrier = new ArrayList<>();
        List<String> unfinished = new ArrayList<>();
        statusByGid.forEach((gid, st) -> {
            boolean committed = st.equals("COMMITTED");
            int n = consumed.getOrDefault(gid, 0);
            if (committed && n != 1) {
                bad.add(gid + " COMMITTED but consumed " + n + " times");
            }
            if (!committed && n > 0) {
                bad.add(gid + " " + st + " but consumed");
            }
            if (committed != committedLocally.contains(gid) && !UNFINISHED.contains(GlobalStatus.valueOf(st))) {
                barrier.add(gid + " " + st + (committed ? " without" : " with") + " its producer's committed row");
            }
            if (UNFINISHED.contains(GlobalStatus.valueOf(st))) {
                unfinished.add(gid + " " + st);
            }
        });
        consumed.keySet().stream().filter(g -> !statusByGid.containsKey(g))
                .forEach(g -> bad.add(g + " consumed but unknown to the coordinator"));
        for (String gid : refusedGids) {
            if (!"ABORTED".equals(statusByGid.get(gid)) || consumed.containsKey(gid)) {
                bad.add("the refused order's message " + gid + " is " + statusByGid.get(gid)
                        + (consumed.containsKey(gid) ? " and was consumed" : ""));
            }
        }
        check(bad.isEmpty(), "every committed message consumed exactly once; none of a rolled-back local"
                + " transaction delivered", String.join("; ", bad));
        check(barrier.isEmpty(), "a message committed if and only if its producer's local transaction committed"
                + " (barrier rows)", String.join("; ", barrier));
        check(unfinished.isEmpty(), "nothing ACTIVE, COMMITTING, ABORTING or PARKED at the coordinator",
                String.join("; ", unfinished));
    }

    private static Map<String, JsonNode> byOrder(JsonNode rows) {
        Map<String, JsonNode> m = new TreeMap<>();
        for (JsonNode r : rows) {
            m.put(r.path("orderId").asText(), r);
        }
        return m;
    }

    private static String status(JsonNode row) {
        return row == null ? "none" : row.path("status").asText();
    }

    private static List<String> gids(JsonNode inbox) {
        List<String> out = new ArrayList<>();
        inbox.forEach(r -> out.add(r.path("gid").asText()));
        return out;
    }

    private static List<String> effects(Collection<JsonNode> rows, String... fields) {
        List<String> out = new ArrayList<>();
        for (JsonNode r : rows) {
            for (String f : fields) {
                if (r.hasNonNull(f)) {
                    out.add(r.get(f).asText());
                }
            }
        }
        return out;
    }

    private static Map<String, Integer> counts(List<String> xs) {
        Map<String, Integer> m = new HashMap<>();
        xs.forEach(x -> m.merge(x, 1, Integer::sum));
        return m;
    }

    @SafeVarargs
    private static List<String> concat(List<String>... lists) {
        List<String> out = new ArrayList<>();
        for (List<String> l : lists) {
            out.addAll(l);
        }
        return out;
    }
}
