package dev.pactum.bench;

import dev.pactum.api.BranchOp;
import dev.pactum.api.BranchRequest;
import dev.pactum.api.GlobalStatus;
import dev.pactum.api.TransactionView;
import dev.pactum.client.PactumClient;
import dev.pactum.client.XaTransaction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * {@code pactum bench}: global transactions per second against no-op participants over HTTP (TCC) or XA
 * participants on a real database, with decisions durable, and in the same run the bare work: the same calls made
 * directly by the client with no coordinator (for XA, the same updates in plain local transactions). By default
 * the coordinator runs as a process of its own, as users deploy it. For each concurrency level it prints both
 * rates, their ratio, and what one committed transaction cost: coordinator calls, branch calls, store writes and
 * fsyncs (from the coordinator's /metrics), the coordinator's CPU and context switches (from /proc), beside the
 * minimum of Gray and Lamport for two-phase commit. One JSON line last. {@code --pattern msg} is {@link MsgBench}.
 *
 * <p>A transaction counts when its submit returned (the decision is durable); phase-2 calls still running when the
 * window closes are waited for, and that drain time is added to the window, so the figure is of completed
 * transactions, not of decisions with a growing backlog behind them.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure global transactions per second and latency, beside the bare work without a coordinator;"
                + " or (--pattern msg) transactional messages delivered end to end, beside the broker's raw publish"
                + " and RocketMQ's transactional send.")
public final class BenchCommand implements Callable<Integer> {
    @Option(names = "--pattern", defaultValue = "tcc", description = "Pattern to measure: tcc, xa or msg (default: ${DEFAULT-VALUE}).")
    String pattern;
    @Option(names = "--branches", defaultValue = "2", description = "Branches per transaction (default: ${DEFAULT-VALUE}).")
    int branches;
    @Option(names = "--concurrency", defaultValue = "32", split = ",",
            description = "Concurrent clients; a comma-separated list sweeps them in one run, e.g. 1,8,32,64,128,256"
                    + " (default: ${DEFAULT-VALUE}).")
    List<Integer> concurrency;
    @Option(names = "--duration", defaultValue = "10", description = "Seconds measured per side and level (default: ${DEFAULT-VALUE}).")
    int duration;
    @Option(names = "--warmup", defaultValue = "15", description = "Seconds of warm-up per side before the first level,"
            + " not measured; the JIT still compiles 15-35 s after start (default: ${DEFAULT-VALUE}).")
    int warmup;
    @Option(names = "--level-warmup", defaultValue = "2", description = "Seconds of warm-up per side before each"
            + " further level (default: ${DEFAULT-VALUE}).")
    int levelWarmup;
    @Option(names = "--register-one-by-one", description = "Let the SDK register each branch as its Try or work is"
            + " called (the first with the begin) instead of declaring them all up front in the begin.")
    boolean oneByOne;
    @Option(names = "--in-process", description = "Run the coordinator inside the benchmark's JVM instead of a process of its own.")
    boolean inProcess;
    @Option(names = "--coordinator-jvm-option", description = "An extra JVM option of the coordinator's own process"
            + " (repeatable), e.g. -XX:StartFlightRecording=filename=coordinator.jfr,settings=profile.")
    List<String> coordinatorJvmOptions = new ArrayList<>();
    @Option(names = "--store-url", description = "JDBC URL of a PostgreSQL or MariaDB store instead of the embedded one.")
    String storeUrl;
    @Option(names = "--data", description = "Directory for the embedded store (default: a fresh temporary directory).")
    Path data;
    @Option(names = "--coordinator", description = "URL of a coordinator already running; default: start one.")
    URI external;
    @Option(names = "--coordinator-wire", description = "With --coordinator: its wire protocol address,"
            + " pactum://host:port (needed for --transport wire).")
    URI externalWire;
    @Option(names = "--transport", defaultValue = "wire", description = "How the SDK calls the coordinator (TCC, XA):"
            + " wire (the binary multiplexed protocol, docs/wire.md; fewer coordinator CPU and context switches per"
            + " transaction, docs/benchmarks.md) or http (default: ${DEFAULT-VALUE}).")
    String transport;
    @Option(names = "--plot", description = "Write the sweep as a PNG to this file.")
    Path plot;
    @Option(names = "--xa-db", split = ",", description = "XA: JDBC URLs of the branches' databases, used in turn"
            + " (default: the machine's PostgreSQL, jdbc:postgresql://127.0.0.1:5432/test).")
    List<String> xaDbs = List.of("jdbc:postgresql://127.0.0.1:5432/test");
    @Option(names = "--broker", defaultValue = "http", description = "MSG: where the coordinator delivers: http,"
            + " rabbitmq (the machine's), kafka (a broker of its own unless --kafka-bootstrap), nats (the machine's"
            + " JetStream) (default: ${DEFAULT-VALUE}).")
    String broker;
    @Option(names = "--kafka-bootstrap", description = "MSG: a Kafka bootstrap server to use instead of starting one.")
    String kafkaBootstrap;
    @Option(names = "--msg-db", defaultValue = "h2", description = "MSG: the producer's database for its local"
            + " transactions: h2 (in memory) or a jdbc:postgresql: URL (default: ${DEFAULT-VALUE}).")
    String msgDb;
    @Option(names = "--rocketmq", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "MSG: measure RocketMQ's own transactional send beside, on a name server and broker of its"
                    + " own (--no-rocketmq to skip it; default: ${DEFAULT-VALUE}).")
    boolean rocketMq;
    @Option(names = "--payload-bytes", defaultValue = "100", description = "MSG: size of each message's payload"
            + " (default: ${DEFAULT-VALUE}).")
    int payloadBytes;

    /** Runs the benchmark on its own, without the ./pactum launcher. */
    public static void main(String[] args) {
        System.exit(new picocli.CommandLine(new BenchCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        pattern = pattern.toLowerCase(Locale.ROOT);
        if (!pattern.equals("tcc") && !pattern.equals("xa") && !pattern.equals("msg")) {
            System.err.println("pactum bench: pattern '" + pattern + "' is not available yet; use --pattern tcc, xa or msg");
            return 2;
        }
        List<Integer> levels = concurrency.stream().sorted().distinct().toList();
        if (branches < 1 || branches > 32 || levels.getFirst() < 1 || levels.getLast() > 4096 || duration < 1
                || warmup < 0 || levelWarmup < 0) {
            System.err.println("pactum bench: need 1..32 branches, concurrency 1..4096, duration >= 1, warm-ups >= 0");
            return 2;
        }
        transport = transport.toLowerCase(Locale.ROOT);
        if (!transport.equals("http") && !transport.equals("wire")) {
            System.err.println("pactum bench: --transport is http or wire, was '" + transport + "'");
            return 2;
        }
        if (transport.equals("wire") && external != null && externalWire == null) {
            System.err.println("pactum bench: --transport wire with --coordinator needs --coordinator-wire pactum://host:port");
            return 2;
        }
        boolean tempData = data == null;
        Path dir = tempData ? Files.createTempDirectory("pactum-bench") : data;
        if (pattern.equals("msg")) {
            return msg(levels, dir, tempData);
        }
        List<XaBenchParticipant> xaParticipants = new ArrayList<>();
        try (CoordinatorUnderTest coordinator = startCoordinator(dir);
             NoopParticipant p = new NoopParticipant();
             PactumClient client = PactumClient.connect(coordinator.clientUrl(transport.equals("wire")));
             DirectCalls direct = new DirectCalls();
             HttpClient scraper = HttpClient.newHttpClient()) {
            System.out.printf(Locale.ROOT, "Pactum bench: pattern %s, %d branches, concurrency %s, %d s measured per"
                            + " level after %d s warm-up; coordinator: %s, %s store; branches %s; SDK to coordinator"
                            + " over %s%n",
                    pattern.toUpperCase(Locale.ROOT), branches, levels, duration, warmup, coordinator.describe(),
                    storeUrl == null ? "embedded" : storeUrl.replaceAll("\\?.*", ""),
                    oneByOne ? "registered one by one" : "declared up front, registered with the begin",
                    transport.equals("wire") ? "the wire protocol (" + coordinator.clientUrl(true) + ")" : "HTTP");
            Workload w = pattern.equals("xa") ? xa(client, direct, xaParticipants) : tcc(client, direct, p);
            Measure m = new Measure(coordinator, scraper, p, xaParticipants);
            if (warmup > 0) {
                // Warm the JIT where there is traffic: a sweep starting at 1 client would warm it slowly.
                int c = Math.max(levels.getFirst(), Math.min(32, levels.getLast()));
                LoadRun.run(w.pactum, c, Duration.ofSeconds(warmup));
                m.drain();
                LoadRun.run(w.bare, c, Duration.ofSeconds(warmup));
            }
            List<BenchLevel> results = new ArrayList<>();
            for (int i = 0; i < levels.size(); i++) {
                int c = levels.get(i);
                if (i > 0 && levelWarmup > 0) {
                    LoadRun.run(w.pactum, c, Duration.ofSeconds(levelWarmup));
                    m.drain();
                    LoadRun.run(w.bare, c, Duration.ofSeconds(levelWarmup));
                }
                BenchLevel r = m.level(w, c, Duration.ofSeconds(duration));
                if (r == null) {
                    return 1; // a check of the committed updates failed; already said why
                }
                print(r);
                results.add(r);
            }
            if (results.size() > 1) {
                printTable(results);
            }
            if (plot != null) {
                SweepPlot.write(plot, "pactum bench --pattern " + pattern + " --branches " + branches + " ("
                        + (storeUrl == null ? "embedded" : "JDBC") + " store, coordinator " + coordinator.mode()
                        .name().toLowerCase(Locale.ROOT).replace('_', '-') + ")", results);
                System.out.println("  plot written to " + plot);
            }
            System.out.println(toJson(summary(results, coordinator)));
            return results.stream().allMatch(r -> r.errors() == 0) ? 0 : 1;
        } finally {
            for (XaBenchParticipant x : xaParticipants) {
                x.close();
            }
            if (tempData) {
                deleteTree(dir);
            }
        }
    }

    private int msg(List<Integer> levels, Path dir, boolean tempData) throws Exception {
        MsgDestination.Kind kind;
        try {
            kind = MsgDestination.kind(broker);
        } catch (IllegalArgumentException e) {
            System.err.println("pactum bench: " + e.getMessage());
            return 2;
        }
        if (payloadBytes < 1 || payloadBytes > dev.pactum.api.Operation.MAX_PAYLOAD_CHARS) {
            System.err.println("pactum bench: --payload-bytes must be 1.." + dev.pactum.api.Operation.MAX_PAYLOAD_CHARS);
            return 2;
        }
        try (CoordinatorUnderTest coordinator = startCoordinator(dir)) {
            return new MsgBench(new MsgBench.Config(kind, levels, duration, warmup, levelWarmup, kafkaBootstrap, msgDb,
                    payloadBytes, storeUrl == null ? "embedded" : storeUrl.replaceAll("\\?.*", ""), rocketMq), coordinator).run(dir);
        } finally {
            if (tempData) {
                deleteTree(dir);
            }
        }
    }

    private CoordinatorUnderTest startCoordinator(Path dir) throws Exception {
        if (external != null) {
            return CoordinatorUnderTest.external(external, externalWire);
        }
        return inProcess ? CoordinatorUnderTest.inProcess(dir.resolve("store"), storeUrl)
                : CoordinatorUnderTest.process(dir.resolve("store"), storeUrl, dir.resolve("logs"), coordinatorJvmOptions);
    }

    /** The unit measured with the coordinator, the same work without it, and how many calls the client itself makes. */
    record Workload(LoadRun.Unit pactum, LoadRun.Unit bare, int clientBranchCallsPerTx) {
    }

    private Workload tcc(PactumClient client, DirectCalls direct, NoopParticipant p) {
        String tryUrl = p.url("try");
        String confirmUrl = p.url("confirm");
        String cancelUrl = p.url("cancel");
        AtomicLong seq = new AtomicLong();
        List<BranchRequest> declared = new ArrayList<>();
        for (int b = 0; b < branches; b++) {
            declared.add(BranchRequest.tcc("b" + b, tryUrl, confirmUrl, cancelUrl));
        }
        LoadRun.Unit tx = oneByOne ? () -> client.tcc(Duration.ofSeconds(30), t -> {
            for (int b = 0; b < branches; b++) {
                t.tryBranch("b" + b, tryUrl, confirmUrl, cancelUrl, "{}");
            }
        }) : () -> client.tcc(Duration.ofSeconds(30), declared, t -> {
            for (int b = 0; b < branches; b++) {
                t.tryBranch("b" + b, "{}");
            }
        });
        LoadRun.Unit bare = () -> {
            String gid = "bare-" + seq.incrementAndGet();
            for (int b = 0; b < branches; b++) {
                direct.call(tryUrl, gid, "b" + b, BranchOp.TRY);
            }
            for (int b = 0; b < branches; b++) {
                direct.call(confirmUrl, gid, "b" + b, BranchOp.CONFIRM);
            }
        };
        return new Workload(tx, bare, branches);
    }

    private Workload xa(PactumClient client, DirectCalls direct, List<XaBenchParticipant> xs) throws Exception {
        for (int b = 0; b < branches; b++) {
            xs.add(new XaBenchParticipant(xaDbs.get(b % xaDbs.size()), "pactum_bench_b" + b, client));
        }
        List<BranchRequest> xaDeclared = new ArrayList<>();
        for (int b = 0; b < branches; b++) {
            xaDeclared.add(XaTransaction.branch("pactum_bench_b" + b, xs.get(b).url("/xa")));
        }
        AtomicLong seq = new AtomicLong();
        LoadRun.Unit tx = () -> {
            TransactionView v = client.xa(Duration.ofSeconds(30), oneByOne ? List.of() : xaDeclared, t -> {
                for (int b = 0; b < branches; b++) {
                    XaBenchParticipant x = xs.get(b);
                    t.call("pactum_bench_b" + b, x.url("/xa"), x.url("/work"), "{}");
                }
            });
            if (v.status() != GlobalStatus.COMMITTING && v.status() != GlobalStatus.COMMITTED) {
                throw new IllegalStateException(v.gid() + " was " + v.status() + ": " + v.reason());
            }
        };
        LoadRun.Unit bare = () -> {
            String gid = "bare-" + seq.incrementAndGet();
            for (int b = 0; b < branches; b++) {
                direct.call(xs.get(b).url("/local"), gid, "b" + b, BranchOp.COMMIT);
            }
        };
        return new Workload(tx, bare, branches);
    }

    /** One measured level: the coordinator's side with its costs read before and after, then the bare work. */
    private record Measure(CoordinatorUnderTest coordinator, HttpClient scraper, NoopParticipant p,
                           List<XaBenchParticipant> xs) {
        BenchLevel level(Workload w, int c, Duration window) throws Exception {
            long[] before = totals(xs);
            MetricsScrape m0 = MetricsScrape.of(scraper, coordinator.url());
            ProcessCounters p0 = coordinator.counters();
            ProcessCounters machine0 = ProcessCounters.read(ProcessHandle.current().pid());
            LoadRun.Result t = LoadRun.run(w.pactum(), c, window);
            double drainS = drain();
            ProcessCounters dp = coordinator.counters().minus(p0);
            ProcessCounters dMachine = ProcessCounters.read(ProcessHandle.current().pid()).minus(machine0);
            MetricsScrape m1 = MetricsScrape.of(scraper, coordinator.url());
            if (!xs.isEmpty()) {
                // Every transaction counted as committed must have committed its update in every branch's database.
                long[] after = totals(xs);
                for (int b = 0; b < xs.size(); b++) {
                    if (after[b] - before[b] != t.ok()) {
                        System.out.printf(Locale.ROOT, "  CHECK FAILED: branch %d applied %d updates for %d committed"
                                + " transactions%n", b, after[b] - before[b], t.ok());
                        return null;
                    }
                }
                System.out.printf(Locale.ROOT, "  checked: each of the %d branch databases holds exactly %d committed"
                        + " updates%n", xs.size(), t.ok());
            }
            ProcessCounters b0 = ProcessCounters.read(ProcessHandle.current().pid());
            LoadRun.Result base = LoadRun.run(w.bare(), c, window);
            ProcessCounters db = ProcessCounters.read(ProcessHandle.current().pid()).minus(b0);

            double n = Math.max(1, t.ok());
            double coordinatorBranchCalls = m1.delta(m0, "pactum_branch_calls_total");
            return new BenchLevel(c, t.ok(), t.errors(), t.ok() / (t.seconds() + drainS), t.p50Ms(), t.p99Ms(),
                    drainS, base.perSecond(), base.p50Ms(), base.p99Ms(),
                    m1.delta(m0, "pactum_http_requests_seconds_count") / n,
                    coordinatorBranchCalls / n + w.clientBranchCallsPerTx(),
                    m1.delta(m0, "pactum_store_writes_total") / n,
                    m1.delta(m0, "pactum_store_fsyncs_total") / n,
                    dp.known() ? dp.cpuMillis() / n : Double.NaN,
                    dp.known() ? dp.jitCpuMillis() / n : Double.NaN,
                    dp.known() ? dp.contextSwitches() / n : Double.NaN,
                    dMachine.known() ? dMachine.machineContextSwitches() / n : Double.NaN,
                    db.known() ? db.machineContextSwitches() / Math.max(1, base.ok()) : Double.NaN,
                    dMachine.known() ? (dMachine.cpuMillis() - dMachine.jitCpuMillis()) / n : Double.NaN,
                    dMachine.known() ? dMachine.contextSwitches() / n : Double.NaN,
                    t.firstError());
        }

        /** Waits until the coordinator has no unfinished transaction (its own gauge); returns the seconds it took. */
        double drain() throws IOException, InterruptedException {
            return coordinator.awaitNoUnfinished(scraper, Duration.ofSeconds(120));
        }
    }

    private void print(BenchLevel r) {
        System.out.printf(Locale.ROOT, "  c=%d  coordinator: %,.0f tx/s, p50 %.2f ms, p99 %.2f ms (%d tx, %d errors,"
                        + " phase-2 drain %.2f s) | bare work: %,.0f tx/s, p50 %.2f ms, p99 %.2f ms | ratio %.2f%n",
                r.concurrency(), r.tps(), r.p50Ms(), r.p99Ms(), r.committed(), r.errors(), r.drainS(), r.baselineTps(),
                r.baselineP50Ms(), r.baselineP99Ms(), r.ratio());
        System.out.printf(Locale.ROOT, "        per committed tx: %s coordinator calls, %s branch calls, %s store"
                        + " writes, %s fsyncs; coordinator %s CPU ms (JIT %s), %s context switches; machine %s context"
                        + " switches (bare work: %s); load generator %s CPU ms without JIT, %s context switches%n",
                BenchLevel.fmt(r.coordinatorCallsPerTx()), BenchLevel.fmt(r.branchCallsPerTx()),
                BenchLevel.fmt(r.storeWritesPerTx()), BenchLevel.fmt(r.fsyncsPerTx()),
                BenchLevel.fmt(r.coordinatorCpuMsPerTx()), BenchLevel.fmt(r.coordinatorJitCpuMsPerTx()),
                BenchLevel.fmt(r.coordinatorCtxSwitchesPerTx()),
                BenchLevel.fmt(r.machineCtxSwitchesPerTx()), BenchLevel.fmt(r.baselineMachineCtxSwitchesPerTx()),
                BenchLevel.fmt(r.loadGenCpuMsPerTx()), BenchLevel.fmt(r.loadGenCtxSwitchesPerTx()));
        if (r.firstError() != null) {
            System.out.println("        first error: " + r.firstError());
        }
    }

    private static void printTable(List<BenchLevel> rs) {
        System.out.println();
        System.out.println("  | concurrency | coordinator tx/s | p50 / p99 ms | bare tx/s | ratio | fsyncs/tx | coord. calls/tx"
                + " | coord. ctx switches/tx | coord. CPU ms/tx |");
        System.out.println("  |---|---|---|---|---|---|---|---|---|");
        for (BenchLevel r : rs) {
            System.out.printf(Locale.ROOT, "  | %d | %,.0f | %.1f / %.1f | %,.0f | %.2f | %s | %s | %s | %s |%n",
                    r.concurrency(), r.tps(), r.p50Ms(), r.p99Ms(), r.baselineTps(), r.ratio(),
                    BenchLevel.fmt(r.fsyncsPerTx()), BenchLevel.fmt(r.coordinatorCallsPerTx()),
                    BenchLevel.fmt(r.coordinatorCtxSwitchesPerTx()), BenchLevel.fmt(r.coordinatorCpuMsPerTx()));
        }
        System.out.println();
    }

    private Map<String, Object> summary(List<BenchLevel> rs, CoordinatorUnderTest c) {
        System.out.println("  minimum for two-phase commit (Gray & Lamport, \"Consensus on Transaction Commit\"): 1 forced"
                + " write by the coordinator and 2 message delays on its commit path");
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("pattern", pattern);
        json.put("branches", branches);
        json.put("durationS", duration);
        json.put("store", storeUrl == null ? "embedded" : storeUrl.replaceAll("\\?.*", ""));
        json.put("coordinator", c.mode().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        json.put("transport", transport);
        if (!xaDbs.isEmpty() && pattern.equals("xa")) {
            json.put("xaDatabases", String.join(" ", xaDbs).replaceAll("\\?[^ ]*", ""));
        }
        json.put("branchesDeclaredUpFront", !oneByOne);
        json.put("minimumForcedWritesPerTx", 1);
        json.put("minimumMessageDelays", 2);
        if (rs.size() == 1) {
            json.putAll(rs.getFirst().json()); // one level: the flat shape earlier runs printed
        } else {
            json.put("levels", rs.stream().map(BenchLevel::json).toList());
        }
        return json;
    }

    private static long[] totals(List<XaBenchParticipant> ps) throws java.sql.SQLException {
        long[] out = new long[ps.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ps.get(i).total();
        }
        return out;
    }

    /** The JSON of maps, lists, strings and numbers (NaN as null): the benchmarks' last line. */
    @SuppressWarnings("unchecked")
    static String toJson(Object v) {
        if (v instanceof Map<?, ?> m) {
            StringBuilder sb = new StringBuilder("{");
            ((Map<String, Object>) m).forEach((k, x) -> {
                if (sb.length() > 1) {
                    sb.append(',');
                }
                sb.append('"').append(k).append("\":").append(toJson(x));
            });
            return sb.append('}').toString();
        }
        if (v instanceof List<?> l) {
            return l.stream().map(BenchCommand::toJson).reduce((a, b) -> a + "," + b).map(s -> "[" + s + "]").orElse("[]");
        }
        if (v instanceof String s) {
            return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        }
        if (v instanceof Double d && (d.isNaN() || d.isInfinite())) {
            return "null";
        }
        return String.valueOf(v);
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path x : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        }
    }
}
