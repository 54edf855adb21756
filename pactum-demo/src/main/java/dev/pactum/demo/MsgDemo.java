package dev.pactum.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pactum.api.BranchView;
import dev.pactum.api.GlobalStatus;
import dev.pactum.api.Operation;
import dev.pactum.api.TransactionList;
import dev.pactum.api.TransactionView;
import dev.pactum.client.PactumClient;
import dev.pactum.server.ServerMain;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.pactum.demo.DemoCommand.deleteTree;
import static dev.pactum.demo.DemoCommand.freePort;
import static dev.pactum.demo.DemoCommand.get;
import static dev.pactum.demo.DemoCommand.pad;
import static dev.pactum.demo.DemoCommand.say;
import static dev.pactum.demo.DemoCommand.user;

/**
 * {@code pactum demo --pattern msg}: seed 000's message scheme, steps 1-7, with the three services as processes of
 * their own. The order service creates the order and sends the payment request in one
 * {@link dev.pactum.client.msg.MessageProducer#send}; payment consumes it through its inbox and answers by message;
 * the order service, on that answer, has the warehouse ship (a third message), or on "out of stock" has payment
 * refund. Then: an order refused inside the order service's local transaction (its message must never be
 * delivered), a concurrent batch, and the order service killed with kill -9 between its local commit and its
 * submit, repaired by the coordinator's check-back once it is back. The invariants are checked on the services'
 * own databases and the coordinator's records ({@link MsgInvariants}).
 */
final class MsgDemo {
    private static final long A_BALANCE = 150;
    private static final long B_BALANCE = 150;
    private static final long USER_BALANCE = 120;
    private static final long PRICE = 50;
    /** One order request: begin, local transaction, submit. */
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);
    /** Every message of a phase delivered and consumed: past this the demo reports what did not settle. */
    static final Duration SETTLE_BOUND = Duration.ofSeconds(180);
    /** Coordinator options: quick retries; enough check-backs to outlast the order service's restart. */
    private static final List<String> COORDINATOR_OPTIONS = List.of("--retry-base", "PT0.05S", "--retry-cap", "PT1S",
            "--max-checks", "200", "--branch-timeout", "PT5S");

    private final int orders;
    private final Path work;
    private final Map<String, String> dbs;
    private final String broker;
    private final String kafkaBootstrap;

    MsgDemo(int orders, Path work, Map<String, String> dbs, String broker, String kafkaBootstrap) {
        this.orders = orders;
        this.work = work;
        this.dbs = dbs;
        this.broker = broker;
        this.kafkaBootstrap = kafkaBootstrap;
    }

    /** The orders of one run and what the coordinator made of their messages. */
    private record Placed(String orderId, int status, String gid) {
    }

    int run() throws Exception {
        long started = System.nanoTime();
        for (String sub : List.of("coordinator", "db", "logs", "kafka")) {
            deleteTree(work.resolve(sub));
        }
        Path logs = work.resolve("logs");
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (String r : List.of("coordinator", "order", "payment", "warehouse")) {
            ports.put(r, freePort());
        }
        String coordinatorUrl = url(ports.get("coordinator"));
        say("Pactum demo, pattern MSG over " + broker + ": seed 000's message scheme (order -> payment -> order ->"
                + " warehouse)");
        DemoStop stop = DemoStop.onInterrupt();
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            long t0 = System.nanoTime();
            MsgTransport transport = MsgTransport.open(broker, kafkaBootstrap, work);
            stop.last(transport);
            say("  transport: " + transport.describe() + " (" + ms(t0) + " ms to set up)");
            ChildProcess coordinator = ChildProcess.start("coordinator", logs, ServerMain.class.getName(),
                    DemoCommand.concat(List.of("--port", ports.get("coordinator").toString(), "--data",
                            work.resolve("coordinator").toString()), COORDINATOR_OPTIONS));
            stop.coordinator(coordinator, coordinatorUrl);
            Map<String, List<String>> serviceArgs = new LinkedHashMap<>();
            Map<String, ChildProcess> services = new LinkedHashMap<>();
            for (String role : List.of("payment", "warehouse", "order")) {
                List<String> args = new ArrayList<>(List.of("--pattern", "msg", "--coordinator", coordinatorUrl));
                for (String to : List.of("order", "payment", "warehouse")) {
                    if (!to.equals(role)) {
                        args.addAll(List.of("--send-to", to + "=" + transport.destination(to, url(ports.get(to)))));
                    }
                }
                URI sub = transport.subscription(role);
                if (sub != null) {
                    args.addAll(List.of("--subscribe", sub.toString()));
                }
                if (role.equals("order")) {
                    args.addAll(List.of("--failpoint", PauseAfterCommit.NAME));
                }
                serviceArgs.put(role, args);
                ChildProcess p = DemoCommand.service(role, logs, ports.get(role), dbs.get(role), args);
                services.put(role, p);
                stop.service(p);
            }
            coordinator.awaitHealthy(coordinatorUrl + "/health", DemoCommand.START_BOUND);
            for (Map.Entry<String, ChildProcess> e : services.entrySet()) {
                e.getValue().awaitHealthy(url(ports.get(e.getKey())) + "/health", DemoCommand.START_BOUND);
            }
            say("  coordinator " + coordinatorUrl + " | order " + url(ports.get("order")) + " | payment "
                    + url(ports.get("payment")) + " | warehouse " + url(ports.get("warehouse")));
            dbs.forEach((k, v) -> say("  " + pad(k, 10) + "database: " + DemoDatabase.describe(v)));

            String orderUrl = url(ports.get("order"));
            String paymentUrl = url(ports.get("payment"));
            String warehouseUrl = url(ports.get("warehouse"));
            int users = (orders + 2) / 3;
            Map<String, Integer> stockAtStart = Map.of("book", orders + 2, "lamp", orders / 6);
            long initialMoney = DemoCommand.reset(http, orderUrl, paymentUrl, warehouseUrl,
                    DemoCommand.accounts(Map.of("A", A_BALANCE, "B", B_BALANCE), users, USER_BALANCE), stockAtStart);
            Map<String, Long> timings = new LinkedHashMap<>();
            MsgInvariants inv = new MsgInvariants();

            try (PactumClient pactum = PactumClient.connect(URI.create(coordinatorUrl))) {
                // 1. A's purchase, step by step.
                say("");
                say("1. User A (balance " + A_BALANCE + ") orders a book for " + PRICE + " (seed 000, steps 1-7)");
                t0 = System.nanoTime();
                Placed a = place(http, orderUrl, order("A-1", "A", "book", PRICE, false));
                List<String> unsettled = settle(http, orderUrl, pactum, List.of("A-1"), stop);
                timings.put("firstOrderMs", ms(t0));
                JsonNode os = get(http, orderUrl + "/state");
                JsonNode ps = get(http, paymentUrl + "/state");
                JsonNode ws = get(http, warehouseUrl + "/state");
                long balanceA = ps.path("accounts").path("A").asLong(-1);
                describeFirst(a, pactum, os, ps, ws);
                inv.check(a.status() == 200 && unsettled.isEmpty() && "SHIPPED".equals(orderStatus(os, "A-1"))
                        && balanceA == A_BALANCE - PRICE, "A's order shipped and A's balance is " + (A_BALANCE - PRICE)
                        + " after the first purchase", "answer " + a.status() + ", order " + orderStatus(os, "A-1")
                        + ", balance " + balanceA + (unsettled.isEmpty() ? "" : "; unsettled: " + unsettled));

                // 2. A local transaction that rolls back: its message must never be delivered.
                say("");
                say("2. User A orders for 5000, over the order service's limit of " + MsgOrderService.ORDER_LIMIT
                        + ": refused inside its local transaction");
                Placed refused = place(http, orderUrl, order("A-2", "A", "book", 5000, false));
                TransactionView rv = refused.gid() == null ? null : pactum.awaitFinal(refused.gid(), Duration.ofSeconds(30));
                say("   answer " + refused.status() + "; the half message " + refused.gid() + " is "
                        + (rv == null ? "unknown" : rv.status())
                        + ": the order row rolled back with it, nothing was sent to payment");
                inv.check(refused.status() == 409 && rv != null && rv.status() == GlobalStatus.ABORTED,
                        "an order refused in its local transaction: answer 409, its message ABORTED",
                        "answer " + refused.status() + ", message " + (rv == null ? "unknown" : rv.status()));

                // 3. The concurrent batch.
                say("");
                say("3. " + orders + " concurrent orders from " + users + " users with " + USER_BALANCE + " each (two"
                        + " orders of " + PRICE + " fit, a third does not); " + stockAtStart.get("lamp") + " lamps in"
                        + " stock for " + users + " lamp orders (a lamp out of stock is refunded by message)");
                t0 = System.nanoTime();
                List<String> batchIds = new ArrayList<>();
                List<Map<String, Object>> batch = new ArrayList<>();
                for (int i = 0; i < orders; i++) {
                    String id = user(1 + i / 3) + "-" + (1 + i % 3);
                    batchIds.add(id);
                    batch.add(order(id, user(1 + i / 3), i % 3 == 0 ? "lamp" : "book", PRICE, false));
                }
                Map<Integer, Integer> answers = placeAll(http, orderUrl, batch, stop);
                List<String> batchUnsettled = settle(http, orderUrl, pactum, batchIds, stop);
                timings.put("batchMs", ms(t0));
                say("   answers of the order service: " + answers + "; " + (batchUnsettled.isEmpty()
                        ? "every order settled (shipped, or failed with its money refunded or never taken)"
                        : batchUnsettled.size() + " orders not settled within " + SETTLE_BOUND + ": " + batchUnsettled)
                        + " in " + timings.get("batchMs") + " ms");
                inv.check(answers.getOrDefault(200, 0) == orders && batchUnsettled.isEmpty(),
                        "every order of the batch accepted and settled within " + SETTLE_BOUND,
                        "answers " + answers + "; unsettled " + batchUnsettled);

                // 4. kill -9 between the local commit and the submit.
                say("");
                say("4. User B orders a book; the order service is killed (kill -9) after its local commit, before"
                        + " its submit");
                t0 = System.nanoTime();
                ChildProcess order = services.get("order");
                MsgCrash crash = new MsgCrash(http, pactum, orderUrl);
                String crashGid = crash.killAfterLocalCommit(order, order("B-1", "B", "book", PRICE, true));
                ChildProcess restarted = DemoCommand.service("order-restarted", "order", logs, ports.get("order"),
                        dbs.get("order"), serviceArgs.get("order"));
                stop.replace(order, restarted);
                services.put("order", restarted);
                restarted.awaitHealthy(orderUrl + "/health", DemoCommand.START_BOUND);
                say("   order service started again (pid " + restarted.pid() + ", same port and database)");
                boolean repaired = crash.awaitRepair(crashGid);
                List<String> crashUnsettled = settle(http, orderUrl, pactum, List.of("B-1"), stop);
                timings.put("crashRepairMs", ms(t0));
                os = get(http, orderUrl + "/state");
                say("   order B-1 is " + orderStatus(os, "B-1") + " (" + timings.get("crashRepairMs")
                        + " ms from the order to the end of the repair)");
                inv.check(repaired && crashUnsettled.isEmpty() && "SHIPPED".equals(orderStatus(os, "B-1")),
                        "the message of the killed order committed by check-back and delivered; the order shipped",
                        crash.detail() + "; order " + orderStatus(os, "B-1"));

                // 5. The invariants, once everything settled.
                List<String> all = new ArrayList<>(List.of("A-1", "B-1"));
                all.addAll(batchIds);
                settle(http, orderUrl, pactum, all, stop);
                os = get(http, orderUrl + "/state");
                ps = get(http, paymentUrl + "/state");
                ws = get(http, warehouseUrl + "/state");
                Map<String, String> statusByGid = coordinatorStatuses(pactum);
                inv.verify(os, ps, ws, statusByGid, initialMoney, stockAtStart,
                        refused.gid() == null ? List.of() : List.of(refused.gid()), List.of("A-2"));

                long shipped = count(os, "SHIPPED");
                long failed = count(os, "FAILED");
                long committed = statusByGid.values().stream().filter("COMMITTED"::equals).count();
                long aborted = statusByGid.values().stream().filter("ABORTED"::equals).count();
                say("");
                say("5. Invariants, checked on the three services' own databases and the coordinator's records");
                inv.held().forEach(h -> say("   ok   " + h));
                inv.violations().forEach(v -> say("   FAIL " + v));
                JsonNode stock = ws.path("stock");
                say("");
                say("Summary: " + (all.size() + 1) + " orders: " + shipped + " shipped, " + failed + " failed, 1 refused"
                        + " locally; " + statusByGid.size() + " messages: " + committed + " delivered, " + aborted
                        + " dropped; merchant " + ps.path("accounts").path(PaymentService.MERCHANT).asLong() + "; book "
                        + stock.path("book") + "; lamp " + stock.path("lamp"));
                boolean held = inv.violations().isEmpty();
                say(held ? "All invariants held." : "INVARIANTS VIOLATED; logs are in " + logs);

                Map<String, Object> json = new LinkedHashMap<>();
                json.put("pattern", "msg");
                json.put("broker", transport.name());
                json.put("orders", all.size() + 1);
                json.put("shipped", shipped);
                json.put("failed", failed);
                json.put("refusedLocally", 1);
                json.put("messagesDelivered", committed);
                json.put("messagesDropped", aborted);
                json.put("crashRepaired", repaired);
                json.put("invariantsHeld", held);
                json.put("balanceA", balanceA);
                json.put("databases", DemoDatabase.describeAll(dbs));
                json.put("coordinatorStore", "embedded");
                json.put("timings", timings);
                json.put("violations", inv.violations());
                json.put("durationMs", ms(started));
                System.out.println(DemoJson.MAPPER.writeValueAsString(json));
                return held ? 0 : 1;
            }
        } finally {
            stop.end();
        }
    }

    private void describeFirst(Placed a, PactumClient pactum, JsonNode os, JsonNode ps, JsonNode ws) {
        JsonNode o = find(os.path("orders"), a.orderId());
        JsonNode pay = find(ps.path("payments"), a.orderId());
        JsonNode ship = find(ws.path("shipments"), a.orderId());
        say("   1-3. the order service sends the payment request: the coordinator stores it (" + a.gid() + ", \"to"
                + " confirm\"), then the order is created in the order service's own transaction");
        say("   4-5. the order service submits: the message is \"sendable\" (COMMITTING) and the coordinator delivers"
                + " it; now " + statusOf(pactum, a.gid()));
        say("   6.   payment consumes it through its inbox: " + (pay == null ? "(nothing yet)" : pay.path("status").asText()
                + " " + pay.path("amount").asLong() + " from " + pay.path("userId").asText()) + ", and answers by"
                + " message (" + (o == null ? "?" : o.path("paymentAnswerGid").asText()) + ", "
                + statusOf(pactum, o == null ? null : o.path("paymentAnswerGid").asText(null)) + ")");
        say("   7.   the order service, on that answer, has the warehouse ship: message " + (ship == null ? "?"
                : ship.path("shipGid").asText()) + " (" + statusOf(pactum, ship == null ? null
                : ship.path("shipGid").asText(null)) + "); " + (ship == null ? "not shipped" : ship.path("status").asText())
                + "; the warehouse answers (" + (o == null ? "?" : o.path("shipmentAnswerGid").asText())
                + ") and the order is " + (o == null ? "?" : o.path("status").asText()));
        say("   A's balance is now " + ps.path("accounts").path("A").asLong());
    }

    private static String statusOf(PactumClient pactum, String gid) {
        if (gid == null || gid.isEmpty() || gid.equals("null")) {
            return "no message";
        }
        try {
            TransactionView v = pactum.get(gid);
            return v.status() + (v.status() == GlobalStatus.COMMITTED ? " (delivered)" : "");
        } catch (RuntimeException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    static Map<String, Object> order(String id, String user, String sku, long amount, boolean crash) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("orderId", id);
        o.put("userId", user);
        o.put("sku", sku);
        o.put("qty", 1);
        o.put("amount", amount);
        if (crash) {
            o.put("crashAfterLocalCommit", true);
        }
        return o;
    }

    private static Placed place(HttpClient http, String orderUrl, Map<String, Object> o) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(orderUrl + "/orders"))
                .header("Content-Type", "application/json").timeout(CALL_TIMEOUT)
                .POST(HttpRequest.BodyPublishers.ofByteArray(DemoJson.MAPPER.writeValueAsBytes(o))).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode body = DemoJson.MAPPER.readTree(r.body());
        String gid = body.path("gid").asText(null);
        return new Placed((String) o.get("orderId"), r.statusCode(), gid == null || gid.equals("null") ? null : gid);
    }

    /** Places the orders at once; answers counted by HTTP status (0: none within the call timeout). */
    private static Map<Integer, Integer> placeAll(HttpClient http, String orderUrl, List<Map<String, Object>> batch,
                                                  DemoStop stop) throws InterruptedException {
        Map<Integer, Integer> answers = new java.util.TreeMap<>();
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Placed>> fs = new ArrayList<>();
            for (Map<String, Object> o : batch) {
                fs.add(ex.submit(() -> stop.stopping() ? null : place(http, orderUrl, o)));
            }
            for (Future<Placed> f : fs) {
                int status;
                try {
                    Placed p = f.get(CALL_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
                    status = p == null ? 0 : p.status();
                } catch (Exception e) {
                    status = 0;
                }
                answers.merge(status, 1, Integer::sum);
            }
        }
        return answers;
    }

    /**
     * Waits (at most {@link #SETTLE_BOUND}) until every given order is SHIPPED or FAILED, every payment and
     * shipment answered, and the coordinator has nothing unfinished; returns what was not settled.
     */
    private List<String> settle(HttpClient http, String orderUrl, PactumClient pactum, List<String> ids, DemoStop stop)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + SETTLE_BOUND.toNanos();
        List<String> open;
        while (true) {
            JsonNode os = get(http, orderUrl + "/state");
            open = new ArrayList<>();
            for (String id : ids) {
                String st = orderStatus(os, id);
                if (!"SHIPPED".equals(st) && !"FAILED".equals(st)) {
                    open.add(id + " " + st);
                }
            }
            int unfinished = 0;
            for (GlobalStatus s : MsgInvariants.UNFINISHED) {
                unfinished += pactum.list(s, null, 100).transactions().size();
            }
            if (unfinished > 0) {
                open.add(unfinished + " messages unfinished at the coordinator");
            }
            if (open.isEmpty() || System.nanoTime() > deadline || stop.stopping()) {
                return open;
            }
            Thread.sleep(100);
        }
    }

    /** Every transaction of the run's coordinator (a fresh one: all are the demo's) and its status. */
    private static Map<String, String> coordinatorStatuses(PactumClient pactum) {
        Map<String, String> out = new HashMap<>();
        for (GlobalStatus s : GlobalStatus.values()) {
            String after = null;
            do {
                TransactionList page = pactum.list(s, after, 500);
                page.transactions().forEach(t -> out.put(t.gid(), t.status().name()));
                after = page.next();
            } while (after != null);
        }
        return out;
    }

    static String orderStatus(JsonNode orderState, String id) {
        JsonNode o = find(orderState.path("orders"), id);
        return o == null ? "absent" : o.path("status").asText();
    }

    static JsonNode find(JsonNode rows, String orderId) {
        for (JsonNode r : rows) {
            if (orderId.equals(r.path("orderId").asText())) {
                return r;
            }
        }
        return null;
    }

    private static long count(JsonNode orderState, String status) {
        long n = 0;
        for (JsonNode o : orderState.path("orders")) {
            if (status.equals(o.path("status").asText())) {
                n++;
            }
        }
        return n;
    }

    /** The deliver payload of a message, for finding the one of an order. */
    static String payloadOf(TransactionView v) {
        for (BranchView b : v.branches()) {
            for (Operation op : b.operations()) {
                if (op.name().equals("deliver")) {
                    return op.payload();
                }
            }
        }
        return "";
    }

    private static String url(int port) {
        return "http://127.0.0.1:" + port;
    }

    private static long ms(long since) {
        return (System.nanoTime() - since) / 1_000_000;
    }
}
