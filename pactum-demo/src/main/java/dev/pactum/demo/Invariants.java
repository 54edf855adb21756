package dev.pactum.demo;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The checks of the demo, made on the three services' own databases after every transaction has finished.
 * Each violated rule adds a sentence naming the rule and the ids concerned.
 */
final class Invariants extends Checks {
    /**
     * @param initialMoney sum of all balances (users and merchant) at the start
     * @param initialStock units per product at the start
     * @param statusByGid  the coordinator's final status of every global transaction of the run
     */
    void verify(JsonNode orders, JsonNode payment, JsonNode warehouse, long initialMoney,
                Map<String, Integer> initialStock, Map<String, String> statusByGid) {
        // Money is conserved, nothing stays frozen.
        long money = 0;
        long frozen = 0;
        for (Iterator<JsonNode> it = payment.get("accounts").elements(); it.hasNext(); ) {
            JsonNode a = it.next();
            money += a.get("balance").asLong();
            frozen += a.get("frozen").asLong();
        }
        check(money == initialMoney, "money conserved", "total is " + money + ", was " + initialMoney);
        check(frozen == 0, "no money left frozen", frozen + " still frozen");

        // Stock is conserved per product, nothing stays reserved.
        boolean stockOk = true;
        boolean reservedOk = true;
        StringBuilder stockDetail = new StringBuilder();
        for (Map.Entry<String, Integer> e : initialStock.entrySet()) {
            JsonNode s = warehouse.get("stock").get(e.getKey());
            int total = s.get("available").asInt() + s.get("reserved").asInt() + s.get("shipped").asInt();
            if (total != e.getValue()) {
                stockOk = false;
                stockDetail.append(e.getKey()).append(" totals ").append(total).append(" not ").append(e.getValue()).append("; ");
            }
            if (s.get("reserved").asInt() != 0) {
                reservedOk = false;
                stockDetail.append(e.getKey()).append(" has ").append(s.get("reserved").asInt()).append(" reserved; ");
            }
        }
        check(stockOk, "stock conserved", stockDetail.toString());
        check(reservedOk, "no stock left reserved", stockDetail.toString());

        Map<String, String> paymentByGid = statusMap(payment.get("payments"));
        Map<String, String> shipByGid = statusMap(warehouse.get("reservations"));
        Map<String, String> orderByGid = statusMap(orders.get("orders"));

        // Every order agrees with its payment and its shipment, and with the coordinator's decision.
        List<String> bad = new ArrayList<>();
        long paidAmount = 0;
        for (JsonNode o : orders.get("orders")) {
            String gid = o.get("gid").asText();
            String st = o.get("status").asText();
            String pay = paymentByGid.get(gid);
            String ship = shipByGid.get(gid);
            String global = statusByGid.get(gid);
            switch (st) {
                case "PAID" -> {
                    paidAmount += o.get("amount").asLong();
                    if (!"PAID".equals(pay) || !"SHIPPED".equals(ship) || !"COMMITTED".equals(global)) {
                        bad.add(gid + " is PAID but payment=" + pay + " shipment=" + ship + " global=" + global);
                    }
                }
                case "CANCELLED" -> {
                    if ("PAID".equals(pay) || "SHIPPED".equals(ship) || !"ABORTED".equals(global)) {
                        bad.add(gid + " is CANCELLED but payment=" + pay + " shipment=" + ship + " global=" + global);
                    }
                }
                default -> bad.add(gid + " is still " + st + " (global " + global + ")");
            }
        }
        check(bad.isEmpty(), "no order paid without payment and shipment, nothing half-done", String.join("; ", bad));

        // No payment or shipment without a paid order, and no committed transaction left unapplied.
        List<String> orphans = new ArrayList<>();
        paymentByGid.forEach((gid, st) -> {
            if (st.equals("PAID") && !"PAID".equals(orderByGid.get(gid))) {
                orphans.add("payment " + gid + " PAID without a paid order");
            }
            if (st.equals("FROZEN")) {
                orphans.add("payment " + gid + " still FROZEN");
            }
        });
        shipByGid.forEach((gid, st) -> {
            if (st.equals("SHIPPED") && !"PAID".equals(orderByGid.get(gid))) {
                orphans.add("shipment " + gid + " SHIPPED without a paid order");
            }
            if (st.equals("RESERVED")) {
                orphans.add("shipment " + gid + " still RESERVED");
            }
        });
        statusByGid.forEach((gid, st) -> {
            if (st.equals("COMMITTED") && !"PAID".equals(orderByGid.get(gid))) {
                orphans.add(gid + " COMMITTED but its order is " + orderByGid.get(gid));
            }
            if (!st.equals("COMMITTED") && !st.equals("ABORTED")) {
                orphans.add(gid + " is still " + st + " at the coordinator");
            }
        });
        check(orphans.isEmpty(), "every effect belongs to a committed order, every transaction finished",
                String.join("; ", orphans));

        JsonNode merchant = payment.get("accounts").get(PaymentService.MERCHANT);
        long merchantBalance = merchant == null ? -1 : merchant.get("balance").asLong();
        check(merchantBalance == paidAmount, "merchant received exactly the paid orders",
                "merchant has " + merchantBalance + ", paid orders total " + paidAmount);
    }

    private static Map<String, String> statusMap(JsonNode rows) {
        Map<String, String> m = new HashMap<>();
        for (JsonNode r : rows) {
            m.put(r.get("gid").asText(), r.get("status").asText());
        }
        return m;
    }
}
