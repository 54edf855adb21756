package dev.pactum.server.msgcrash;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.pactum.api.BranchView;
import dev.pactum.api.GlobalStatus;
import dev.pactum.api.Operation;
import dev.pactum.api.TransactionList;
import dev.pactum.api.TransactionView;
import dev.pactum.client.PactumClient;
import dev.pactum.server.CoordinatorProcess;
import dev.pactum.server.msgcrash.History.CoordinatorView;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One message crash run: a real coordinator process, a real producer process ({@link ProducerMain}) and a consumer
 * on one {@link Transport}, under a fault plan; then the settle and the {@link HistoryChecker}.
 *
 * <p>The plan, by the producer's progress (attempted indexes, read from its database) so the faults land under load
 * on a machine of any speed, with random jitter from one printed seed ({@code -Dpactum.msgcrash.seed=N}):
 * <ol>
 *   <li>at 1/6 of the messages: kill -9 of the coordinator, restart on the same port and store;</li>
 *   <li>at 1/4: the broker outage ({@link Transport#breakBroker()}) for 1-2 s;</li>
 *   <li>from index {@code count/3}: the producer halts between its local commit and its submit (its failpoint); the
 *       test sees it exit with {@link ProducerMain#HALTED} and restarts it on the same check port;</li>
 *   <li>at 1/2, in the runs that have a second kill: kill -9 of the coordinator again;</li>
 *   <li>all the while: every 7th index rolled back on purpose, every 5th message applied and then not acknowledged
 *       (delivered again).</li>
 * </ol>
 * Then it waits (bounded) until the coordinator has nothing unfinished, the consumer applied every COMMITTED message
 * and every duplicate on purpose came back, and checks the history.
 *
 * <p>Databases: the producer's and the consumer's each in a PostgreSQL schema of their own (the machine's, dropped
 * afterwards). Logs of every process go to {@code target/msg-crash/}.
 */
final class MsgCrashRun {
    static final String PG_URL = "jdbc:postgresql://127.0.0.1:5432/test";
    private static final Duration START_WAIT = Duration.ofSeconds(60);
    private static final Duration PROGRESS_WAIT = Duration.ofSeconds(60);
    private static final Duration SETTLE_WAIT = Duration.ofSeconds(90);
    private static final EnumSet<GlobalStatus> UNFINISHED = EnumSet.of(GlobalStatus.ACTIVE, GlobalStatus.COMMITTING,
            GlobalStatus.ABORTING, GlobalStatus.PREPARING);

    interface TransportFactory {
        Transport open(ConsumerLedger ledger) throws Exception;
    }

    private final String name;
    private final int count;
    private final int coordinatorKills;
    private final List<String> storeArgs;
    private final Path dir;

    /**
     * @param coordinatorKills 1 or 2: the second (at 1/2) costs one more restart of the coordinator, so only some
     *                         runs have it (the CI budget)
     * @param storeArgs        the coordinator's store arguments ({@code --data ...}, or a {@code --store-url})
     * @param dir              a directory of this run's own (the embedded store, the producer's done file)
     */
    MsgCrashRun(String name, int count, int coordinatorKills, List<String> storeArgs, Path dir) {
        if (coordinatorKills < 1 || coordinatorKills > 2) {
            throw new IllegalArgumentException("coordinatorKills must be 1 or 2, was " + coordinatorKills);
        }
        this.name = name;
        this.count = count;
        this.coordinatorKills = coordinatorKills;
        this.storeArgs = List.copyOf(storeArgs);
        this.dir = dir;
    }

    void run(TransportFactory transports) throws Exception {
        long seed = Long.getLong("pactum.msgcrash.seed", System.nanoTime());
        Random random = new Random(seed);
        String tag = "[msg crash " + name + ", seed " + seed + "]";
        String suffix = Long.toHexString(System.nanoTime());
        String producerSchema = "mc_prod_" + suffix;
        String consumerSchema = "mc_cons_" + suffix;
        execute("CREATE SCHEMA " + producerSchema);
        execute("CREATE SCHEMA " + consumerSchema);
        Path logs = Path.of("target", "msg-crash").toAbsolutePath();
        Path done = dir.resolve("producer.done");
        List<String> faults = new ArrayList<>();
        try (HikariDataSource producerDb = pool(producerSchema, 2);
             HikariDataSource consumerDb = pool(consumerSchema, 10)) {
            ConsumerLedger ledger = new ConsumerLedger(consumerDb);
            List<String> coordinatorArgs = new ArrayList<>(storeArgs);
            coordinatorArgs.addAll(List.of("--node-id", "msg-crash", "--retry-base", "PT0.05S", "--retry-cap", "PT1S",
                    "--branch-timeout", "PT4S", "--max-checks", "40"));
            try (Transport transport = transports.open(ledger);
                 CoordinatorProcess coordinator = new CoordinatorProcess(coordinatorArgs,
                         logs.resolve(name + "-" + seed + "-coordinator.log"));
                 PactumClient client = PactumClient.connect(coordinator.uri(), Duration.ofSeconds(10))) {
                coordinator.start(START_WAIT);
                int haltAt = count / 3;
                try (CoordinatorProcess producer = new CoordinatorProcess(ProducerMain.class, List.of(
                        "--coordinator", coordinator.uri().toString(),
                        "--jdbc", PG_URL + "?currentSchema=" + producerSchema,
                        "--destination", transport.destination(),
                        "--count", Integer.toString(count), "--threads", "4", "--pause-ms", "100",
                        "--halt-at", Integer.toString(haltAt), "--check-timeout-ms", "3000",
                        "--done-file", done.toString()), logs.resolve(name + "-" + seed + "-producer.log"))) {
                    producer.start(START_WAIT);
                    BooleanSupplier finished = () -> Files.exists(done);

                    long t0 = System.nanoTime();
                    awaitProgress(producerDb, count / 6, finished, tag);
                    Thread.sleep(random.nextInt(300));
                    faults.add(killAndRestart(coordinator, random, "coordinator kill 1 at " + attempted(producerDb)
                            + " (" + sinceMs(t0) + " ms)"));

                    awaitProgress(producerDb, count / 4, finished, tag);
                    transport.breakBroker();
                    long down = 1000 + random.nextInt(1000);
                    Thread.sleep(down);
                    transport.repairBroker();
                    String outage = transport.outage() + " for " + down + " ms at " + attempted(producerDb) + " ("
                            + sinceMs(t0) + " ms)";

                    int exit = producer.awaitExit(PROGRESS_WAIT.multipliedBy(2));
                    assertThat(exit).as(tag + " the producer's failpoint from idx " + haltAt + " halts it; see "
                            + producer.log()).isEqualTo(ProducerMain.HALTED);
                    long r0 = System.nanoTime();
                    producer.start(START_WAIT);
                    faults.add("producer halted after the local commit of idx " + halted(producerDb) + " ("
                            + sinceMs(t0) + " ms), restarted in " + sinceMs(r0) + " ms");

                    if (coordinatorKills == 2) {
                        awaitProgress(producerDb, count / 2, finished, tag);
                        Thread.sleep(random.nextInt(300));
                        faults.add(killAndRestart(coordinator, random, "coordinator kill 2 at "
                                + attempted(producerDb) + " (" + sinceMs(t0) + " ms)"));
                    }

                    assertThat(await(PROGRESS_WAIT.multipliedBy(2), finished))
                            .as(tag + " the producer finished every index; see " + producer.log()).isTrue();
                    System.out.println(tag + " producer (last incarnation): " + Files.readString(done) + ", done at "
                            + sinceMs(t0) + " ms");

                    // The settle: the coordinator finishes everything, the consumer applies every committed
                    // message, every duplicate on purpose comes back. The producer keeps answering check-backs.
                    faults.add(outage + transport.outageEffect()); // after the load, so reconnects are counted
                    long s0 = System.nanoTime();
                    boolean settled = await(SETTLE_WAIT, () -> settled(client, ledger));
                    faults.add("settled in " + sinceMs(s0) + " ms");
                    History h = history(producerDb, ledger, client);
                    HistoryChecker.Verdict v = HistoryChecker.check(h);
                    System.out.println(tag + " faults: " + String.join(" | ", faults));
                    System.out.println(tag + " consumer: " + ledger.summary() + "; owed redeliveries "
                            + ledger.owed().size());
                    System.out.println(tag + " verdict: " + v);
                    assertThat(v.problems()).as(tag + " history check; logs in " + logs).isEmpty();
                    assertThat(settled).as(tag + " settled within " + SETTLE_WAIT + " (unfinished "
                            + unfinished(client) + ", owed redeliveries " + ledger.owed() + ")").isTrue();
                    assertThat(h.committedIdx()).as(tag + " some messages committed").hasSizeGreaterThan(count / 2);
                    List<Integer> halted = halted(producerDb);
                    assertThat(halted).as(tag + " the index whose local commit the producer halted after").isNotEmpty();
                    for (int idx : halted) {
                        assertThat(h.coordinator().values()).as(tag + " the halted index's message, committed by"
                                + " check-back").anyMatch(c -> c.idx() == idx && c.status() == GlobalStatus.COMMITTED);
                        h.coordinator().values().stream().filter(c -> c.idx() == idx && h.committedGids()
                                .contains(c.gid())).forEach(c -> System.out.println(tag + " halted idx " + idx + ": "
                                + client.get(c.gid()).branches().getFirst().attempts() + " calls (check-backs while"
                                + " the producer was down, then its delivery)"));
                    }
                }
            }
        } finally {
            execute("DROP SCHEMA " + producerSchema + " CASCADE");
            execute("DROP SCHEMA " + consumerSchema + " CASCADE");
        }
    }

    private static long sinceMs(long t0) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    private static String killAndRestart(CoordinatorProcess coordinator, Random random, String what)
            throws Exception {
        coordinator.kill();
        long down = random.nextInt(500);
        Thread.sleep(down);
        long t0 = System.nanoTime();
        coordinator.start(START_WAIT);
        return what + ", down " + down + " ms + restart " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)
                + " ms";
    }

    private static boolean settled(PactumClient client, ConsumerLedger ledger) {
        try {
            if (!unfinished(client).isEmpty() || !ledger.owed().isEmpty()) {
                return false;
            }
            Set<String> committed = new HashSet<>();
            for (TransactionView t : listAll(client, GlobalStatus.COMMITTED)) {
                committed.add(t.gid());
            }
            return ledger.applied().containsAll(committed);
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static List<String> unfinished(PactumClient client) {
        List<String> l = new ArrayList<>();
        for (GlobalStatus s : UNFINISHED) {
            listAll(client, s).forEach(t -> l.add(t.gid() + " " + s));
        }
        return l;
    }

    private static List<TransactionView> listAll(PactumClient client, GlobalStatus status) {
        List<TransactionView> all = new ArrayList<>();
        String after = null;
        do {
            TransactionList page = client.list(status, after, 500);
            all.addAll(page.transactions());
            after = page.next();
        } while (after != null);
        return all;
    }

    /** The history, from the databases and from the coordinator's view of every gid it holds. */
    private static History history(HikariDataSource producerDb, ConsumerLedger ledger, PactumClient client)
            throws SQLException {
        Map<Integer, Boolean> attempts = new HashMap<>();
        Set<Integer> committedIdx = new HashSet<>();
        Set<String> committedGids = new HashSet<>();
        try (Connection c = producerDb.getConnection(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT idx, intent FROM crash_attempt")) {
                while (rs.next()) {
                    attempts.put(rs.getInt(1), "commit".equals(rs.getString(2)));
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT idx FROM crash_order")) {
                while (rs.next()) {
                    committedIdx.add(rs.getInt(1));
                }
            }
            try (ResultSet rs = s.executeQuery(
                    "SELECT gid FROM pactum_barrier WHERE op = 'msg' AND origin_op = 'msg'")) {
                while (rs.next()) {
                    committedGids.add(rs.getString(1));
                }
            }
        }
        Map<String, CoordinatorView> coordinator = new HashMap<>();
        Map<String, Integer> lastErrors = new TreeMap<>();
        Map<Integer, Integer> committedByAttempts = new TreeMap<>();
        for (TransactionView listed : listAll(client, null)) {
            TransactionView t = client.get(listed.gid()); // the final view, one GET per gid
            coordinator.put(t.gid(), new CoordinatorView(t.gid(), t.status(), t.reason(), idxOf(t)));
            for (BranchView b : t.branches()) {
                if (t.status() == GlobalStatus.COMMITTED) {
                    committedByAttempts.merge(b.attempts(), 1, Integer::sum);
                }
                if (b.lastError() != null) {
                    // What the faults did to the calls (a check-back unanswered, a delivery refused), for the summary.
                    String kind = b.lastError().replaceAll("[0-9]+", "N");
                    lastErrors.merge(kind.substring(0, Math.min(70, kind.length())), b.attempts(), Integer::sum);
                }
            }
        }
        // A branch's attempts count every call made for it: unanswered check-backs, failed and successful deliveries.
        System.out.println("COMMITTED messages by their branch's attempts: " + committedByAttempts
                + "; branches whose last call failed, by that error: " + lastErrors);
        return new History(attempts, committedIdx, committedGids, coordinator, ledger.deliveries(),
                ledger.inboxGids(), ledger.effects());
    }

    private static List<Integer> halted(HikariDataSource producerDb) throws SQLException {
        List<Integer> l = new ArrayList<>();
        try (Connection c = producerDb.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT idx FROM crash_halt")) {
            while (rs.next()) {
                l.add(rs.getInt(1));
            }
        }
        return l;
    }

    private static int idxOf(TransactionView t) {
        for (BranchView b : t.branches()) {
            for (Operation o : b.operations()) {
                if ("deliver".equals(o.name())) {
                    return ConsumerLedger.idxOf(o.payload());
                }
            }
        }
        return -1;
    }

    private static int attempted(HikariDataSource producerDb) {
        try (Connection c = producerDb.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM crash_attempt")) {
            rs.next();
            return rs.getInt(1);
        } catch (SQLException e) {
            return 0; // the producer has not created its table yet
        }
    }

    private static void awaitProgress(HikariDataSource producerDb, int n, BooleanSupplier finished, String tag)
            throws InterruptedException {
        assertThat(await(PROGRESS_WAIT, () -> attempted(producerDb) >= n || finished.getAsBoolean()))
                .as(tag + " the producer reached " + n + " attempts").isTrue();
    }

    /** Polls {@code condition} every 100 ms for at most {@code max}. */
    private static boolean await(Duration max, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(100);
        }
        return true;
    }

    private static HikariDataSource pool(String schema, int size) {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(PG_URL + "?currentSchema=" + schema);
        c.setUsername("postgres");
        c.setMaximumPoolSize(size);
        c.setPoolName("msg-crash-" + schema);
        return new HikariDataSource(c);
    }

    static void execute(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(PG_URL, "postgres", null); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
