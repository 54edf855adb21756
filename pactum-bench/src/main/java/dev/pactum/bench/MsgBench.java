package dev.pactum.bench;

import dev.pactum.client.PactumClient;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * {@code pactum bench --pattern msg}: transactional messages committed by producers ({@code MessageProducer.send}
 * with a small local transaction) and delivered by the coordinator to a destination (HTTP, RabbitMQ, Kafka, NATS
 * JetStream) where a consumer records each receipt; and beside it, in the same run, on the same destination,
 * payload and concurrency, the broker's raw publish and RocketMQ's own transactional send. Per level: messages
 * delivered end to end per second, latency from the sender's answer to the consumer, what one message cost the
 * coordinator, and the ratios. Every committed message must reach the consumer (checked; a miss fails the run).
 */
final class MsgBench {
    /** Deliveries still missing after the window are waited for this long before the run fails. */
    private static final Duration DRAIN_BOUND = Duration.ofSeconds(60);

    record Config(MsgDestination.Kind broker, List<Integer> levels, int durationS, int warmupS, int levelWarmupS,
                  String kafkaBootstrap, String msgDb, int payloadBytes, String store, boolean rocketMq) {
    }

    private final Config config;
    private final CoordinatorUnderTest coordinator;
    /** The phase the consumers' receipts go to: each phase counts only its own messages. */
    private final AtomicReference<MsgArrivals> current = new AtomicReference<>(new MsgArrivals());
    private final Consumer<String> onReceipt = id -> current.get().received(id);

    MsgBench(Config config, CoordinatorUnderTest coordinator) {
        this.config = config;
        this.coordinator = coordinator;
    }

    /** @return the exit status: 0, or 1 when a message was lost or a send failed */
    int run(Path dir) throws Exception {
        String payload = payload(config.payloadBytes);
        int connections = Math.min(64, config.levels.getLast()) + 2;
        try (MsgDestination destination = MsgDestination.open(config.broker, dir, config.kafkaBootstrap, onReceipt);
             ProducerDatabase db = ProducerDatabase.open(config.msgDb, connections);
             PactumClient client = PactumClient.connect(coordinator.url());
             PactumMsgSide pactum = new PactumMsgSide(client, db, destination.uri(), payload);
             RawPublishSide raw = new RawPublishSide(destination.uri(), payload);
             MsgSide rocketMq = rocketMqSide(dir, db, payload);
             HttpClient scraper = HttpClient.newHttpClient()) {
            System.out.printf(Locale.ROOT, "Pactum bench: pattern MSG to %s (%s), concurrency %s, %d s measured per"
                            + " side and level after %d s warm-up, payload %d bytes; producer database %s; coordinator:"
                            + " %s, %s store%n", config.broker.name().toLowerCase(Locale.ROOT), destination.uri(),
                    config.levels, config.durationS, config.warmupS, config.payloadBytes, db.describe(),
                    coordinator.describe(), config.store);
            System.out.println("  raw publish: " + destination.rawPublishIs());
            System.out.println("  RocketMQ transactional send: " + (rocketMq == null ? "not measured (--no-rocketmq)"
                    : rocketMq.describe()));
            List<MsgSide> others = new ArrayList<>(List.of(raw));
            if (rocketMq != null) {
                others.add(rocketMq);
            }
            List<MsgLevel> results = new ArrayList<>();
            for (int i = 0; i < config.levels.size(); i++) {
                int c = config.levels.get(i);
                int warm = i == 0 ? config.warmupS : config.levelWarmupS;
                if (warm > 0) {
                    phase(pactum, c, Duration.ofSeconds(warm));
                    coordinator.awaitNoUnfinished(scraper, DRAIN_BOUND);
                    for (MsgSide s : others) {
                        phase(s, c, Duration.ofSeconds(warm));
                    }
                }
                long orders0 = db.orders();
                MsgLevel r = level(pactum, raw, rocketMq, scraper, c);
                print(r);
                results.add(r);
                long orders = db.orders() - orders0;
                String problem = check(r, orders);
                if (problem != null) {
                    System.out.println("  CHECK FAILED: " + problem);
                    System.out.println(BenchCommand.toJson(summary(results, db)));
                    return 1;
                }
            }
            if (results.size() > 1) {
                printTable(results);
            }
            if (rocketMq != null) {
                // RocketMQ's broker keeps checking committed messages back after their phase: the whole run's count.
                System.out.printf(Locale.ROOT, "  RocketMQ's broker checked back %d times so far in this run (all"
                        + " phases, warm-ups included)%n", rocketMq.checkBacks());
            }
            System.out.println(BenchCommand.toJson(summary(results, db)));
            return results.stream().flatMap(r -> r.sides().stream()).allMatch(s -> s.errors() == 0) ? 0 : 1;
        }
    }

    /**
     * RocketMQ's own transactional send on a name server and broker of its own, with the same local transaction and
     * barrier (issue 8, item 4); null with {@code --no-rocketmq}.
     */
    private MsgSide rocketMqSide(Path dir, ProducerDatabase db, String payload) throws Exception {
        return config.rocketMq ? new RocketMqSide(dir, db, payload, onReceipt) : null;
    }

    private MsgLevel level(PactumMsgSide pactum, RawPublishSide raw, MsgSide rocketMq, HttpClient scraper, int c)
            throws Exception {
        Duration window = Duration.ofSeconds(config.durationS);
        MetricsScrape m0 = MetricsScrape.of(scraper, coordinator.url());
        ProcessCounters p0 = coordinator.counters();
        MsgSideResult mine = phase(pactum, c, window);
        coordinator.awaitNoUnfinished(scraper, DRAIN_BOUND); // its last writes after the deliveries, in its costs
        ProcessCounters dp = coordinator.counters().minus(p0);
        MetricsScrape m1 = MetricsScrape.of(scraper, coordinator.url());
        MsgSideResult rawResult = phase(raw, c, window);
        MsgSideResult rocketResult = rocketMq == null ? null : phase(rocketMq, c, window);
        double n = Math.max(1, mine.sent());
        return new MsgLevel(c, mine,
                m1.delta(m0, "pactum_http_requests_seconds_count") / n,
                m1.delta(m0, "pactum_branch_calls_total") / n,
                m1.delta(m0, "pactum_store_writes_total") / n,
                m1.delta(m0, "pactum_store_fsyncs_total") / n,
                dp.known() ? dp.cpuMillis() / n : Double.NaN,
                dp.known() ? dp.contextSwitches() / n : Double.NaN,
                rawResult, rocketResult);
    }

    /** One side for one window: the sends in a closed loop, then the wait for their receipts. */
    private MsgSideResult phase(MsgSide side, int c, Duration window) throws Exception {
        MsgArrivals arrivals = new MsgArrivals();
        current.set(arrivals);
        long server = side.serverPid();
        ProcessCounters self0 = ProcessCounters.read(ProcessHandle.current().pid());
        ProcessCounters server0 = server < 0 ? ProcessCounters.UNKNOWN : ProcessCounters.read(server);
        long checks0 = side.checkBacks();
        LoadRun.Result r = LoadRun.run(() -> {
            long start = System.nanoTime();
            arrivals.sent(side.send(), start);
        }, c, window);
        double drainS = arrivals.awaitAllDelivered(DRAIN_BOUND);
        ProcessCounters self = ProcessCounters.read(ProcessHandle.current().pid()).minus(self0);
        ProcessCounters serverUsed = server < 0 ? ProcessCounters.UNKNOWN : ProcessCounters.read(server).minus(server0);
        double n = Math.max(1, arrivals.sent());
        return new MsgSideResult(side.name(), arrivals.sent(), r.errors(), r.firstError(), r.seconds(), drainS,
                arrivals.delivered(), arrivals.duplicates(), r.p50Ms(), r.p99Ms(), arrivals.p50Ms(), arrivals.p99Ms(),
                arrivals.fromStartP50Ms(), arrivals.fromStartP99Ms(),
                self.known() ? self.cpuMillis() / n : Double.NaN,
                serverUsed.known() ? serverUsed.cpuMillis() / n : Double.NaN,
                checks0 < 0 ? Double.NaN : (side.checkBacks() - checks0) / n);
    }

    /** Every committed message delivered, and (with no failed send) one order row per committed message. */
    private static String check(MsgLevel r, long orders) {
        for (MsgSideResult s : r.sides()) {
            if (s.delivered() != s.sent()) {
                return String.format(Locale.ROOT, "%s: %d of %d committed messages reached the consumer within %s",
                        s.side(), s.delivered(), s.sent(), DRAIN_BOUND);
            }
        }
        long transactional = r.pactum().sent() + (r.rocketMq() == null ? 0 : r.rocketMq().sent());
        long failed = r.pactum().errors() + (r.rocketMq() == null ? 0 : r.rocketMq().errors());
        if (failed == 0 && orders != transactional) {
            return orders + " order rows committed for " + transactional + " committed messages";
        }
        System.out.printf(Locale.ROOT, "  checked: every committed message reached the consumer; %d order rows for %d"
                + " committed transactional messages%n", orders, transactional);
        return null;
    }

    private static void print(MsgLevel r) {
        System.out.printf(Locale.ROOT, "  c=%d%n", r.concurrency());
        System.out.println("    " + r.pactum().line("committed", "the submit's answer"));
        System.out.println("    " + r.raw().line("confirmed", "the confirm"));
        if (r.rocketMq() != null) {
            System.out.println("    " + r.rocketMq().line("committed", "the send's answer"));
        }
        System.out.printf(Locale.ROOT, "    ratios (delivered/s): Pactum / raw publish %s, Pactum / RocketMQ"
                + " transactional %s%n", BenchLevel.fmt(r.ratioToRaw()), BenchLevel.fmt(r.ratioToRocketMq()));
        System.out.printf(Locale.ROOT, "    per committed message: %s coordinator calls, %s branch calls (deliveries"
                        + " and check-backs), %s store writes, %s fsyncs; coordinator %s CPU ms, %s context switches%n",
                BenchLevel.fmt(r.coordinatorCallsPerMsg()), BenchLevel.fmt(r.branchCallsPerMsg()),
                BenchLevel.fmt(r.storeWritesPerMsg()), BenchLevel.fmt(r.fsyncsPerMsg()),
                BenchLevel.fmt(r.coordinatorCpuMsPerMsg()), BenchLevel.fmt(r.coordinatorCtxSwitchesPerMsg()));
    }

    private static void printTable(List<MsgLevel> rs) {
        System.out.println();
        System.out.println("  | concurrency | Pactum msg/s | p50 / p99 ms | raw publish msg/s | ratio | RocketMQ tx msg/s"
                + " | ratio | fsyncs/msg | coord. CPU ms/msg |");
        System.out.println("  |---|---|---|---|---|---|---|---|---|");
        for (MsgLevel r : rs) {
            System.out.printf(Locale.ROOT, "  | %d | %,.0f | %.1f / %.1f | %,.0f | %s | %s | %s | %s | %s |%n",
                    r.concurrency(), r.pactum().deliveredPerS(), r.pactum().e2eP50Ms(), r.pactum().e2eP99Ms(),
                    r.raw().deliveredPerS(), BenchLevel.fmt(r.ratioToRaw()),
                    r.rocketMq() == null ? "n/a" : String.format(Locale.ROOT, "%,.0f", r.rocketMq().deliveredPerS()),
                    BenchLevel.fmt(r.ratioToRocketMq()), BenchLevel.fmt(r.fsyncsPerMsg()),
                    BenchLevel.fmt(r.coordinatorCpuMsPerMsg()));
        }
        System.out.println();
    }

    private Map<String, Object> summary(List<MsgLevel> rs, ProducerDatabase db) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("pattern", "msg");
        json.put("broker", config.broker.name().toLowerCase(Locale.ROOT));
        json.put("durationS", config.durationS);
        json.put("payloadBytes", config.payloadBytes);
        json.put("producerDb", db.describe());
        json.put("store", config.store);
        json.put("coordinator", coordinator.mode().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        if (rs.size() == 1) {
            json.putAll(rs.getFirst().json());
        } else {
            json.put("levels", rs.stream().map(MsgLevel::json).toList());
        }
        return json;
    }

    /** A JSON body of about {@code bytes} characters, the same for every side. */
    static String payload(int bytes) {
        String head = "{\"order\":1042,\"amount\":50,\"pad\":\"";
        String tail = "\"}";
        return head + "x".repeat(Math.max(0, bytes - head.length() - tail.length())) + tail;
    }
}
