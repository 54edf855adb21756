package dev.pactum.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pactum.api.TransactionView;
import dev.pactum.client.PactumClient;
import dev.pactum.server.ServerMain;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * {@code pactum demo}: the seeds' scenario end to end. Starts a coordinator and the order, payment and warehouse
 * services as processes of their own, each service with its own database; user A (balance 150) buys goods for 50;
 * then a batch of concurrent orders, some bound to fail for lack of money or stock; then checks the invariants on
 * the services' databases, prints a summary, and as its last line one JSON object. Exit status 0 only if every
 * invariant held.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the e-commerce scenario of the seeds (order, payment, warehouse) against a coordinator.")
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--pattern", defaultValue = "tcc", description = "Transaction pattern: tcc, xa or msg (default:"
            + " ${DEFAULT-VALUE}). msg: seed 000's transactional messages, order -> payment -> order -> warehouse, each"
            + " answer a message of its own, with a phase where the order service is killed (kill -9) between its"
            + " local commit and its submit.")
    String pattern;

    @Option(names = "--broker", defaultValue = "http", description = "msg only: how the messages travel: http (the"
            + " coordinator calls the services; needs nothing but a JDK), rabbitmq (the machine's, 127.0.0.1:5672"
            + " guest/guest), kafka (a broker the demo starts, unless --kafka-bootstrap) or nats (the machine's JetStream,"
            + " 127.0.0.1:4222). Default: ${DEFAULT-VALUE}.")
    String broker;

    @Option(names = "--kafka-bootstrap", description = "msg with --broker kafka: an existing Kafka (host:port) instead"
            + " of the single-node broker the demo starts.")
    String kafkaBootstrap;

    @Option(names = "--orders", defaultValue = "36", description = "Concurrent orders in the batch after A's order (default: ${DEFAULT-VALUE}).")
    int orders;

    @Option(names = "--work-dir", defaultValue = "demo-data", description = "Where the demo keeps databases and logs (default: ${DEFAULT-VALUE}).")
    Path workDir;

    @Option(names = "--order-db", description = "JDBC URL of the order service's database (default: embedded H2).")
    String orderDb;

    @Option(names = "--payment-db", description = "JDBC URL of the payment service's database (default: embedded H2).")
    String paymentDb;

    @Option(names = "--warehouse-db", description = "JDBC URL of the warehouse service's database (default: embedded H2).")
    String warehouseDb;

    /**
     * The batch: users u01, u02 ... place three orders each (a lamp and two books), with a balance that pays for two
     * orders only; lamps in stock cover half of the lamp orders. So some orders fail for lack of money, some for
     * lack of stock, whatever the interleaving, and the invariants must hold all the same.
     */
    private static final long USER_BALANCE = 120;
    /**
     * XA needs databases that keep a prepared transaction after the session that prepared it closes; the embedded
     * H2 does not (it rolls it back), so with no database given the XA demo uses the machine's PostgreSQL and
     * MariaDB: heterogeneous XA, one service on MariaDB, two on PostgreSQL (different tables, and each service
     * recovers only its own branches).
     */
    static final String XA_POSTGRES = "jdbc:postgresql://127.0.0.1:5432/test";
    static final String XA_MARIADB = "jdbc:mariadb://127.0.0.1:3306/test";
    private static final long A_BALANCE = 150;
    private static final long PRICE = 50;
    /** One HTTP call to a demo process: an order's purchase answers within its transaction timeout (30 s). */
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(90);
    /** The whole concurrent batch, answers and final statuses: past this the demo reports it did not finish. */
    static final Duration BATCH_BOUND = Duration.ofSeconds(180);

    /**
     * A process's start, until it answers: about 3 s on a quiet machine; over 60 s seen on this 2-core one at load
     * 30 (a coordinator took 38 s to log that it listens), so the bound is well above that.
     */
    static final Duration START_BOUND = Duration.ofSeconds(150);

    /** The demo alone, as {@code pactum demo} runs it (tests start it as a process of its own). */
    public static void main(String[] args) {
        System.exit(new picocli.CommandLine(new DemoCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        pattern = pattern.toLowerCase(java.util.Locale.ROOT);
        if (!pattern.equals("tcc") && !pattern.equals("xa") && !pattern.equals("msg")) {
            System.err.println("pactum demo: pattern '" + pattern + "' is not available yet; use --pattern tcc, xa or msg");
            return 2;
        }
        broker = broker.toLowerCase(java.util.Locale.ROOT);
        if (!MsgTransport.NAMES.contains(broker) || (!pattern.equals("msg") && !broker.equals("http"))) {
            System.err.println("pactum demo: --broker must be one of " + MsgTransport.NAMES + " and needs --pattern msg;"
                    + " was " + broker);
            return 2;
        }
        if (orders < 0 || orders > 10_000) {
            System.err.println("pactum demo: --orders must be within 0..10000, was " + orders);
            return 2;
        }
        long started = System.nanoTime();
        Path work = workDir.toAbsolutePath();
        for (String sub : List.of("coordinator", "db", "logs")) {
            deleteTree(work.resolve(sub));
        }
        Path logs = work.resolve("logs");
        Map<String, String> dbs = new LinkedHashMap<>();
        boolean xa = pattern.equals("xa");
        dbs.put("order", orderDb != null ? orderDb : xa ? XA_POSTGRES : DemoDatabase.defaultUrl(work, "order"));
        dbs.put("payment", paymentDb != null ? paymentDb : xa ? XA_POSTGRES : DemoDatabase.defaultUrl(work, "payment"));
        dbs.put("warehouse", warehouseDb != null ? warehouseDb : xa ? XA_MARIADB : DemoDatabase.defaultUrl(work, "warehouse"));
        if (pattern.equals("msg")) {
            return new MsgDemo(orders, work, dbs, broker, kafkaBootstrap).run();
        }

        int cPort = freePort();
        int oPort = freePort();
        int pPort = freePort();
        int wPort = freePort();
        String coordinatorUrl = "http://127.0.0.1:" + cPort;
        String orderUrl = "http://127.0.0.1:" + oPort;
        String paymentUrl = "http://127.0.0.1:" + pPort;
        String warehouseUrl = "http://127.0.0.1:" + wPort;

        say("Pactum demo, pattern " + pattern.toUpperCase(java.util.Locale.ROOT) + ": the seeds' e-commerce scenario");
        say("  starting the coordinator (embedded store in " + work.resolve("coordinator") + ") and three services ...");
        List<ChildProcess> children = new ArrayList<>();
        DemoStop stop = DemoStop.onInterrupt();
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            children.add(ChildProcess.start("coordinator", logs, ServerMain.class.getName(), List.of(
                    "--port", Integer.toString(cPort), "--data", work.resolve("coordinator").toString(),
                    "--retry-base", "PT0.05S", "--retry-cap", "PT2S")));
            stop.coordinator(children.get(0), coordinatorUrl);
            List<String> common = List.of("--pattern", pattern, "--coordinator", coordinatorUrl);
            children.add(service("payment", logs, pPort, dbs.get("payment"), common));
            stop.service(children.get(1));
            children.add(service("warehouse", logs, wPort, dbs.get("warehouse"), common));
            stop.service(children.get(2));
            children.add(service("order", logs, oPort, dbs.get("order"), concat(common, List.of(
                    "--payment", paymentUrl, "--warehouse", warehouseUrl))));
            stop.service(children.get(3));
            children.get(0).awaitHealthy(coordinatorUrl + "/health", START_BOUND);
            children.get(1).awaitHealthy(paymentUrl + "/health", START_BOUND);
            children.get(2).awaitHealthy(warehouseUrl + "/health", START_BOUND);
            children.get(3).awaitHealthy(orderUrl + "/health", START_BOUND);
            say("  coordinator " + coordinatorUrl + " | order " + orderUrl + " | payment " + paymentUrl
                    + " | warehouse " + warehouseUrl);
            dbs.forEach((k, v) -> say("  " + pad(k, 10) + "database: " + DemoDatabase.describe(v)));
            if (xa && orderDb == null && paymentDb == null && warehouseDb == null) {
                say("  (XA needs real two-phase commit: the embedded H2 cannot keep a prepared transaction, so the"
                        + " XA demo uses the machine's PostgreSQL and MariaDB)");
            }

            int users = (orders + 2) / 3;
            Map<String, Integer> stockAtStart = Map.of("book", 1 + orders, "lamp", orders / 6);
            long initialMoney = reset(http, orderUrl, paymentUrl, warehouseUrl,
                    accounts(Map.of("A", A_BALANCE), users, USER_BALANCE), stockAtStart);

            try (PactumClient pactum = PactumClient.connect(URI.create(coordinatorUrl))) {
                Map<String, String> statusByGid = new ConcurrentHashMap<>();
                say("");
                say("1. User A (balance " + A_BALANCE + ") orders a book for " + PRICE + " and pays from the balance");
                JsonNode a = post(http, orderUrl + "/orders", order("A", "book"));
                String aGid = a.path("gid").asText();
                TransactionView av = pactum.awaitFinal(aGid, Duration.ofSeconds(60));
                statusByGid.put(aGid, av.status().name());
                long balanceA = get(http, paymentUrl + "/state").get("accounts").get("A").get("balance").asLong();
                say("   global transaction " + aGid + ": " + av.status() + "; branches "
                        + av.branches().stream().map(b -> b.branchId() + "=" + b.status()).toList());
                say("   A's balance is now " + balanceA);

                say("");
                say("2. " + orders + " concurrent orders from " + users + " users with " + USER_BALANCE
                        + " each (two orders of " + PRICE + " fit, a third does not); " + stockAtStart.get("lamp")
                        + " lamps in stock for " + users + " lamp orders");
                long batchStart = System.nanoTime();
                long batchDeadline = batchStart + BATCH_BOUND.toNanos();
                Map<String, Integer> answers = new ConcurrentHashMap<>();
                List<String> gids = batch(http, orderUrl, answers, batchDeadline, stop);
                List<String> unfinished = new ArrayList<>();
                for (String gid : gids) {
                    Duration left = Duration.ofNanos(Math.max(0, batchDeadline - System.nanoTime()));
                    TransactionView v = pactum.awaitFinal(gid, left);
                    statusByGid.put(gid, v.status().name());
                    if (!v.status().isFinal()) {
                        unfinished.add(gid + " " + v.status());
                    }
                }
                long batchMs = (System.nanoTime() - batchStart) / 1_000_000;
                int unanswered = answers.getOrDefault("none", 0);
                say("   answers of the order service: " + answers + " in " + batchMs + " ms, "
                        + (unfinished.isEmpty() && unanswered == 0 ? "all transactions finished"
                        : unanswered + " orders unanswered and " + unfinished.size() + " transactions unfinished"
                        + " within " + BATCH_BOUND));

                Invariants inv = new Invariants();
                JsonNode orderState = get(http, orderUrl + "/state");
                JsonNode payState = get(http, paymentUrl + "/state");
                JsonNode whState = get(http, warehouseUrl + "/state");
                inv.check(unfinished.isEmpty() && unanswered == 0, "every order answered and every transaction"
                        + " finished within " + BATCH_BOUND, unanswered + " unanswered; unfinished: " + unfinished);
                inv.verify(orderState, payState, whState, initialMoney, stockAtStart, statusByGid);
                if (xa) {
                    List<String> left = PreparedXids.left(dbs.values(), statusByGid.keySet());
                    inv.check(left.isEmpty(), "no prepared XA transaction left behind (pg_prepared_xacts, XA RECOVER)",
                            String.join("; ", left));
                }
                boolean aOk = balanceA == A_BALANCE - PRICE && "COMMITTED".equals(av.status().name());
                long committed = statusByGid.values().stream().filter("COMMITTED"::equals).count();
                long aborted = statusByGid.values().stream().filter("ABORTED"::equals).count();

                say("");
                say("3. Invariants, checked on the three services' own databases");
                say("   " + (aOk ? "ok  " : "FAIL") + " A's order committed and A's balance is "
                        + (A_BALANCE - PRICE) + " (is " + balanceA + ")");
                inv.held().forEach(h -> say("   ok   " + h));
                inv.violations().forEach(v -> say("   FAIL " + v));
                JsonNode stock = whState.get("stock");
                say("");
                say("Summary: " + statusByGid.size() + " orders, " + committed + " committed, " + aborted + " aborted; merchant "
                        + payState.get("accounts").get(PaymentService.MERCHANT).get("balance").asLong() + "; book "
                        + stock.get("book") + "; lamp " + stock.get("lamp"));
                boolean held = aOk && inv.violations().isEmpty();
                say(held ? "All invariants held." : "INVARIANTS VIOLATED; logs are in " + logs);

                Map<String, Object> json = new LinkedHashMap<>();
                json.put("pattern", pattern);
                json.put("orders", statusByGid.size());
                json.put("committed", committed);
                json.put("aborted", aborted);
                json.put("invariantsHeld", held);
                json.put("balanceA", balanceA);
                json.put("databases", DemoDatabase.describeAll(dbs));
                json.put("coordinatorStore", "embedded");
                json.put("violations", inv.violations());
                json.put("durationMs", (System.nanoTime() - started) / 1_000_000);
                System.out.println(DemoJson.MAPPER.writeValueAsString(json));
                return held ? 0 : 1;
            }
        } finally {
            stop.end();
        }
    }

    /**
     * Sends the batch's orders at once and collects the gids of those answered by {@code deadline}; an order not
     * answered by then (or not sent because the demo is stopping) counts under "none" in {@code answers}.
     */
    private List<String> batch(HttpClient http, String orderUrl, Map<String, Integer> answers, long deadline,
                               DemoStop stop) throws Exception {
        List<String> gids = new ArrayList<>();
        ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor();
        try {
            List<Future<JsonNode>> fs = new ArrayList<>();
            for (int i = 0; i < orders; i++) {
                Map<String, Object> o = order(user(1 + i / 3), i % 3 == 0 ? "lamp" : "book");
                fs.add(ex.submit(() -> {
                    if (stop.stopping()) {
                        return null; // interrupted: submit nothing more
                    }
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(orderUrl + "/orders"))
                            .header("Content-Type", "application/json").timeout(CALL_TIMEOUT)
                            .POST(HttpRequest.BodyPublishers.ofByteArray(DemoJson.MAPPER.writeValueAsBytes(o))).build(),
                            HttpResponse.BodyHandlers.ofString());
                    answers.merge(Integer.toString(r.statusCode()), 1, Integer::sum);
                    return DemoJson.MAPPER.readTree(r.body());
                }));
            }
            for (Future<JsonNode> f : fs) {
                JsonNode answer;
                try {
                    answer = f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (TimeoutException | ExecutionException e) {
                    answer = null;
                }
                String gid = answer == null ? "" : answer.path("gid").asText("");
                if (answer == null) {
                    answers.merge("none", 1, Integer::sum);
                } else if (!gid.isEmpty()) {
                    gids.add(gid);
                }
            }
        } finally {
            ex.shutdownNow(); // do not wait for an order that did not answer in time
        }
        return gids;
    }

    /** The named accounts, then users u01 ... with {@code each}. */
    static Map<String, Long> accounts(Map<String, Long> named, int users, long each) {
        Map<String, Long> accounts = new LinkedHashMap<>(new java.util.TreeMap<>(named));
        for (int i = 1; i <= users; i++) {
            accounts.put(user(i), each);
        }
        return accounts;
    }

    /** Loads the start state into the three services; returns the money in all accounts. */
    static long reset(HttpClient http, String orderUrl, String paymentUrl, String warehouseUrl,
                      Map<String, Long> accounts, Map<String, Integer> stock) throws IOException, InterruptedException {
        post(http, paymentUrl + "/admin/reset", Map.of("accounts", accounts));
        post(http, warehouseUrl + "/admin/reset", Map.of("stock", stock));
        post(http, orderUrl + "/admin/reset", Map.of());
        return accounts.values().stream().mapToLong(Long::longValue).sum();
    }

    static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static Map<String, Object> order(String user, String sku) {
        return Map.of("userId", user, "sku", sku, "qty", 1, "amount", PRICE);
    }

    static String user(int i) {
        return String.format("u%02d", i);
    }

    static ChildProcess service(String role, Path logs, int port, String db, List<String> extra) throws IOException {
        return service(role, role, logs, port, db, extra);
    }

    /** @param name the process's name, and its log's ({@code name.log}) */
    static ChildProcess service(String name, String role, Path logs, int port, String db, List<String> extra)
            throws IOException {
        List<String> args = new ArrayList<>(List.of("--role", role, "--port", Integer.toString(port), "--db", db));
        args.addAll(extra);
        return ChildProcess.start(name, logs, ServiceMain.class.getName(), args);
    }

    static JsonNode post(HttpClient http, String url, Object body) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .timeout(CALL_TIMEOUT)
                .POST(HttpRequest.BodyPublishers.ofByteArray(DemoJson.MAPPER.writeValueAsBytes(body))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 500) {
            throw new IOException("POST " + url + " answered " + r.statusCode() + ": " + r.body());
        }
        return DemoJson.MAPPER.readTree(r.body());
    }

    static JsonNode get(HttpClient http, String url) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(CALL_TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + url + " answered " + r.statusCode() + ": " + r.body());
        }
        return DemoJson.MAPPER.readTree(r.body());
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path x : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }

    static String pad(String s, int n) {
        return s.length() >= n ? s + " " : s + " ".repeat(n - s.length());
    }

    static void say(String s) {
        System.out.println(s);
    }
}
