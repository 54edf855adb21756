package dev.pactum.bench;

import dev.pactum.api.BranchOp;
import dev.pactum.api.GlobalStatus;
import dev.pactum.api.TransactionView;
import dev.pactum.client.PactumClient;
import dev.pactum.core.CoordinatorConfig;
import dev.pactum.core.spi.StoreStats;
import dev.pactum.server.Coordinator;
import dev.pactum.server.ServerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * {@code pactum bench}: global TCC transactions per second against no-op participants over HTTP, with decisions
 * durable in the embedded store, and in the same run the bare work: the same Try and Confirm calls made directly
 * by the client with no coordinator. Prints both, their ratio, and one JSON line last.
 *
 * <p>A transaction counts when its submit returned (the commit decision is durable); Confirms still running when
 * the measuring window closes are waited for, and that drain time is added to the window, so the figure is of
 * completed transactions, not of decisions with a growing backlog behind them.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure global transactions per second and latency, beside the bare work without a coordinator.")
public final class BenchCommand implements Callable<Integer> {
    @Option(names = "--pattern", defaultValue = "tcc", description = "Pattern to measure: tcc or xa (default: ${DEFAULT-VALUE}).")
    String pattern;
    @Option(names = "--branches", defaultValue = "2", description = "Branches per transaction (default: ${DEFAULT-VALUE}).")
    int branches;
    @Option(names = "--concurrency", defaultValue = "32", description = "Concurrent clients (default: ${DEFAULT-VALUE}).")
    int concurrency;
    @Option(names = "--duration", defaultValue = "10", description = "Seconds measured per side (default: ${DEFAULT-VALUE}).")
    int duration;
    @Option(names = "--warmup", defaultValue = "3", description = "Seconds of warm-up per side, not measured (default: ${DEFAULT-VALUE}).")
    int warmup;
    @Option(names = "--store-url", description = "JDBC URL of a PostgreSQL or MariaDB store instead of the embedded one.")
    String storeUrl;
    @Option(names = "--data", description = "Directory for the embedded store (default: a fresh temporary directory).")
    Path data;
    @Option(names = "--coordinator", description = "URL of a coordinator already running (its own process); default: start one in this process.")
    URI external;
    @Option(names = "--xa-db", split = ",", description = "XA: JDBC URLs of the branches' databases, used in turn"
            + " (default: the machine's PostgreSQL, jdbc:postgresql://127.0.0.1:5432/test).")
    List<String> xaDbs = List.of("jdbc:postgresql://127.0.0.1:5432/test");

    /** Runs the benchmark on its own, without the ./pactum launcher. */
    public static void main(String[] args) {
        System.exit(new picocli.CommandLine(new BenchCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        pattern = pattern.toLowerCase(Locale.ROOT);
        if (!pattern.equals("tcc") && !pattern.equals("xa")) {
            System.err.println("pactum bench: pattern '" + pattern + "' is not available yet; use --pattern tcc or xa");
            return 2;
        }
        if (branches < 1 || branches > 32 || concurrency < 1 || concurrency > 4096 || duration < 1 || warmup < 0) {
            System.err.println("pactum bench: need 1..32 branches, 1..4096 concurrency, duration >= 1, warmup >= 0");
            return 2;
        }
        boolean tempData = data == null;
        Path dir = tempData ? Files.createTempDirectory("pactum-bench") : data;
        CoordinatorConfig cc = CoordinatorConfig.builder().nodeId("bench").build();
        ServerConfig sc = new ServerConfig("127.0.0.1", 0, dir, storeUrl, null, null, 64 * 1024, Duration.ofSeconds(10), cc);
        System.out.printf(Locale.ROOT, "Pactum bench: pattern %s, %d branches, concurrency %d, %d s measured after %d s warm-up%n",
                pattern.toUpperCase(Locale.ROOT), branches, concurrency, duration, warmup);
        List<XaBenchParticipant> xaParticipants = new ArrayList<>();
        try (NoopParticipant p = new NoopParticipant();
             Coordinator coordinator = external == null ? Coordinator.start(sc, Clock.systemUTC()) : null;
             PactumClient client = PactumClient.connect(external != null ? external
                     : URI.create("http://127.0.0.1:" + coordinator.port()));
             DirectCalls direct = new DirectCalls()) {
            String tryUrl = p.url("try");
            String confirmUrl = p.url("confirm");
            String cancelUrl = p.url("cancel");
            AtomicLong seq = new AtomicLong();
            LoadRun.Unit tcc;
            LoadRun.Unit bare;
            if (pattern.equals("xa")) {
                for (int b = 0; b < branches; b++) {
                    xaParticipants.add(new XaBenchParticipant(xaDbs.get(b % xaDbs.size()), "pactum_bench_b" + b, client));
                }
                tcc = () -> {
                    TransactionView v = client.xa(Duration.ofSeconds(30), tx -> {
                        for (int b = 0; b < branches; b++) {
                            XaBenchParticipant x = xaParticipants.get(b);
                            tx.call("pactum_bench_b" + b, x.url("/xa"), x.url("/work"), "{}");
                        }
                    });
                    if (v.status() != GlobalStatus.COMMITTING && v.status() != GlobalStatus.COMMITTED) {
                        throw new IllegalStateException(v.gid() + " was " + v.status() + ": " + v.reason());
                    }
                };
                bare = () -> {
                    String gid = "bare-" + seq.incrementAndGet();
                    for (int b = 0; b < branches; b++) {
                        direct.call(xaParticipants.get(b).url("/local"), gid, "b" + b, BranchOp.COMMIT);
                    }
                };
            } else {
                tcc = () -> client.tcc(Duration.ofSeconds(30), tx -> {
                    for (int b = 0; b < branches; b++) {
                        tx.tryBranch("b" + b, tryUrl, confirmUrl, cancelUrl, "{}");
                    }
                });
                bare = () -> {
                    String gid = "bare-" + seq.incrementAndGet();
                    for (int b = 0; b < branches; b++) {
                        direct.call(tryUrl, gid, "b" + b, BranchOp.TRY);
                    }
                    for (int b = 0; b < branches; b++) {
                        direct.call(confirmUrl, gid, "b" + b, BranchOp.CONFIRM);
                    }
                };
            }

            if (warmup > 0) {
                LoadRun.run(tcc, concurrency, Duration.ofSeconds(warmup));
                drain(coordinator, client);
                LoadRun.run(bare, concurrency, Duration.ofSeconds(warmup));
            }
            long confirmsBefore = p.confirms.sum();
            long[] before = totals(xaParticipants);
            Optional<StoreStats> storeBefore = coordinator == null ? Optional.empty() : coordinator.storeStats();
            LoadRun.Result t = LoadRun.run(tcc, concurrency, Duration.ofSeconds(duration));
            double drainS = drain(coordinator, client);
            Optional<StoreStats> storeAfter = coordinator == null ? Optional.empty() : coordinator.storeStats();
            long confirmed = p.confirms.sum() - confirmsBefore;
            if (!xaParticipants.isEmpty()) {
                // Every transaction counted as committed must have committed its update in every branch's database.
                long[] after = totals(xaParticipants);
                for (int b = 0; b < branches; b++) {
                    long applied = after[b] - before[b];
                    if (applied != t.ok()) {
                        System.out.printf(Locale.ROOT, "  CHECK FAILED: branch %d applied %d updates for %d committed"
                                + " transactions%n", b, applied, t.ok());
                        return 1;
                    }
                }
                confirmed = t.ok() * branches;
                System.out.printf(Locale.ROOT, "  checked: each of the %d branch databases holds exactly %d committed updates%n",
                        branches, t.ok());
            }
            double tps = t.ok() / (t.seconds() + drainS);
            LoadRun.Result base = LoadRun.run(bare, concurrency, Duration.ofSeconds(duration));

            System.out.printf(Locale.ROOT, "  coordinator (%s store, decisions fsync'd): %,.0f tx/s, p50 %.2f ms, p99 %.2f ms"
                            + " (%d tx, %d errors, %d phase-2 acks, phase-2 drain %.2f s)%n",
                    external != null ? "external" : storeUrl == null ? "embedded" : "JDBC", tps, t.p50Ms(), t.p99Ms(), t.ok(), t.errors(), confirmed, drainS);
            System.out.printf(Locale.ROOT, "  bare work (%s): %,.0f tx/s, p50 %.2f ms,"
                    + " p99 %.2f ms (%d errors)%n", pattern.equals("xa")
                            ? "the same updates, each in a plain local transaction, no coordinator"
                            : "same Try + Confirm calls, no coordinator",
                    base.perSecond(), base.p50Ms(), base.p99Ms(), base.errors());
            double ratio = tps / base.perSecond();
            System.out.printf(Locale.ROOT, "  ratio coordinator / bare work: %.2f%n", ratio);
            Double fsyncsPerTx = null;
            if (storeBefore.isPresent() && storeAfter.isPresent() && t.ok() > 0) {
                // Measured window plus drain: every write of the transactions counted, and of nothing else.
                StoreStats a = storeBefore.get();
                StoreStats b = storeAfter.get();
                double n = t.ok();
                fsyncsPerTx = (b.fsyncs() - a.fsyncs()) / n;
                System.out.printf(Locale.ROOT, "  store, per committed transaction: %.2f writes (%.2f synced) in %.2f"
                                + " write groups, %.2f fsyncs%n", (b.writes() - a.writes()) / n,
                        (b.syncedWrites() - a.syncedWrites()) / n, (b.writeGroups() - a.writeGroups()) / n, fsyncsPerTx);
            }
            if (t.firstError() != null) {
                System.out.println("  first error: " + t.firstError());
            }
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("pattern", pattern);
            json.put("branches", branches);
            json.put("concurrency", concurrency);
            json.put("durationS", duration);
            json.put("store", storeUrl == null ? "embedded" : storeUrl.replaceAll("\\?.*", ""));
            json.put("tps", round(tps));
            json.put("p50Ms", round(t.p50Ms()));
            json.put("p99Ms", round(t.p99Ms()));
            json.put("errors", t.errors());
            json.put("baselineTps", round(base.perSecond()));
            json.put("baselineP50Ms", round(base.p50Ms()));
            json.put("baselineP99Ms", round(base.p99Ms()));
            json.put("ratio", round(ratio));
            if (fsyncsPerTx != null) {
                json.put("fsyncsPerTx", round(fsyncsPerTx));
            }
            if (!xaParticipants.isEmpty()) {
                json.put("xaDatabases", String.join(" ", xaDbs).replaceAll("\\?[^ ]*", ""));
            }
            System.out.println(toJson(json));
            return t.errors() == 0 ? 0 : 1;
        } finally {
            for (XaBenchParticipant x : xaParticipants) {
                x.close();
            }
            if (tempData) {
                deleteTree(dir);
            }
        }
    }

    /** Waits until every transaction has finished phase 2; returns the seconds it took. */
    private static double drain(Coordinator c, PactumClient client) throws InterruptedException {
        long t0 = System.nanoTime();
        long deadline = t0 + Duration.ofSeconds(120).toNanos();
        while ((c != null ? c.unfinished() : client.list(GlobalStatus.COMMITTING, null, 1).transactions().size()) > 0
                && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    private static long[] totals(List<XaBenchParticipant> ps) throws java.sql.SQLException {
        long[] out = new long[ps.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ps.get(i).total();
        }
        return out;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static String toJson(Map<String, Object> m) {
        StringBuilder sb = new StringBuilder("{");
        m.forEach((k, v) -> {
            if (sb.length() > 1) {
                sb.append(',');
            }
            sb.append('"').append(k).append("\":");
            sb.append(v instanceof String s ? "\"" + s.replace("\"", "\\\"") + "\"" : String.valueOf(v));
        });
        return sb.append('}').toString();
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path x : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        }
    }
}
