package dev.pactum.server;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.pactum.api.BranchOp;
import dev.pactum.api.BranchStatus;
import dev.pactum.api.BranchView;
import dev.pactum.api.ConflictException;
import dev.pactum.api.GlobalStatus;
import dev.pactum.api.Outcome;
import dev.pactum.api.PactumException;
import dev.pactum.api.TransactionList;
import dev.pactum.api.TransactionView;
import dev.pactum.api.UnknownTransactionException;
import dev.pactum.client.PactumClient;
import dev.pactum.client.TccTransaction;
import dev.pactum.client.TryFailedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Invariant 6 (and 2, 3) under fire: a real coordinator process is killed with SIGKILL at random moments while
 * hundreds of TCC transactions are in flight, restarted on the same port, store and node id, and afterwards
 * every transaction must have ended consistently with its decision:
 * <ul>
 *   <li>COMMITTED: every registered branch had a successful Try, was Confirmed once and never Cancelled;</li>
 *   <li>ABORTED: no branch was Confirmed, every branch whose Try took effect was Cancelled once;</li>
 *   <li>no business effect was applied twice; the coordinator's branch statuses say the same;</li>
 *   <li>what the client was told (201 on begin, 200 on submit, 409 on submit) matches the final status.</li>
 * </ul>
 *
 * <p>The client cannot always know what happened: an answer lost to a kill leaves it unsure whether a begin or a
 * submit was recorded. So the checks rest on the coordinator's final status, and the client's beliefs are only
 * held against it where the client actually got an answer.
 *
 * <p>Randomness (number and moments of the kills, the participant's misbehaviour) comes from one seed, printed
 * in the summary and in every failure; run again with {@code -Dpactum.killtest.seed=N}. Thread timing still
 * varies between runs, so the same seed gives the same plan, not the same interleaving.
 *
 * <p>Needs the machine's PostgreSQL (127.0.0.1:5432, database {@code test}, user postgres, trust auth): the
 * participant's business data lives there in a schema of its own, and so does the coordinator's store in the
 * second test. Every schema is created fresh and dropped afterwards. Logs of the coordinator process are kept in
 * {@code target/kill-test/}.
 */
class CoordinatorKillTest {
    private static final String PG_URL = "jdbc:postgresql://127.0.0.1:5432/test";
    private static final String PG_USER = "postgres";

    /** Concurrent client flows. Each runs one transaction at a time. */
    private static final int CLIENTS = 24;
    /** Pause of a client between two transactions, so that a run makes hundreds of transactions, not thousands. */
    private static final Duration CLIENT_PAUSE = Duration.ofMillis(40);
    /** How long the load goes on after the last restart, so that the recovered coordinator also takes new work. */
    private static final Duration LOAD_AFTER_LAST_RESTART = Duration.ofMillis(1500);
    /** The load goes on until at least this many transactions were attempted (unless the machine is very slow). */
    private static final int MIN_TRANSACTIONS = 300;
    /** How long the killer waits for that progress before it goes on anyway. */
    private static final Duration PROGRESS_WAIT = Duration.ofSeconds(30);
    /** Generous bounds; none of them is a timing assertion, they only turn a hang into a clear failure. */
    private static final Duration START_WAIT = Duration.ofSeconds(60);
    private static final Duration FINISH_WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void embeddedStoreSurvivesKills() throws Exception {
        run("embedded", List.of("--data", dir.resolve("store").toString()));
    }

    @Test
    void postgresqlStoreSurvivesKills() throws Exception {
        String schema = "kt_store_" + Long.toHexString(System.nanoTime());
        execute("CREATE SCHEMA " + schema);
        try {
            run("postgresql", List.of("--data", dir.resolve("unused").toString(),
                    "--store-url", PG_URL + "?currentSchema=" + schema, "--store-user", PG_USER));
        } finally {
            execute("DROP SCHEMA " + schema + " CASCADE");
        }
    }

    // ------------------------------------------------------------------------------------------------ the run

    private void run(String storeName, List<String> storeArgs) throws Exception {
        long seed = Long.getLong("pactum.killtest.seed", System.nanoTime());
        Random random = new Random(seed);
        int kills = 3 + random.nextInt(3);
        String tag = "[" + storeName + " store, seed " + seed + "]";
        System.out.println(tag + " starting: " + kills + " kills planned");
        long started = System.nanoTime();

        List<String> serverArgs = new ArrayList<>(storeArgs);
        serverArgs.addAll(List.of("--node-id", "kill-test", "--retry-base", "PT0.05S", "--retry-cap", "PT1S",
                "--default-timeout", "PT3S"));
        Path log = Path.of("target", "kill-test", storeName + "-" + seed + ".log").toAbsolutePath();

        String partSchema = "kt_part_" + Long.toHexString(System.nanoTime());
        execute("CREATE SCHEMA " + partSchema);
        try (HikariDataSource partDb = participantPool(partSchema);
             BarrierParticipant participant = new BarrierParticipant(partDb, seed);
             CoordinatorProcess coordinator = new CoordinatorProcess(serverArgs, log);
             PactumClient client = PactumClient.connect(coordinator.uri(), Duration.ofSeconds(10))) {

            coordinator.start(START_WAIT);
            Load load = new Load(client, participant);
            load.start();
            List<String> killLog = new ArrayList<>();
            try {
                // The killer: random uptime, SIGKILL, a random while down, restart, wait for health; a few times.
                for (int k = 1; k <= kills; k++) {
                    long uptime = 800 + random.nextInt(2200);
                    long downtime = random.nextInt(600);
                    Thread.sleep(uptime);
                    // On a busy machine, also let the load make progress, so the kills spread over hundreds of
                    // transactions instead of all landing in the first few dozen.
                    load.awaitAttempted(k * MIN_TRANSACTIONS / (kills + 1), PROGRESS_WAIT);
                    load.gate.close(); // clients that finish a transaction now wait, instead of failing on and on
                    int inFlightAtKill = load.inFlight.get();
                    int begunAtKill = load.next.get();
                    coordinator.kill();
                    Thread.sleep(downtime);
                    long t0 = System.nanoTime();
                    coordinator.start(START_WAIT);
                    long restartMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                    load.gate.open();
                    killLog.add("kill " + k + " after " + uptime + " ms up, " + inFlightAtKill + " in flight, "
                            + begunAtKill + " begun so far; down " + downtime + " ms + restart " + restartMs + " ms");
                }
                Thread.sleep(LOAD_AFTER_LAST_RESTART.toMillis());
                load.awaitAttempted(MIN_TRANSACTIONS, PROGRESS_WAIT);
            } finally {
                System.out.println(tag + " kills: " + String.join(" | ", killLog));
                load.stop();
            }
            long loadMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

            // Everything the coordinator knows must reach COMMITTED or ABORTED without the clients' help.
            long t0 = System.nanoTime();
            String atStop = describe(unfinished(client));
            awaitNothingUnfinished(client, tag, coordinator.log());
            long finishMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(participant.awaitQuiet(Duration.ofSeconds(30)))
                    .as(tag + " participant still handling calls 30 s after the coordinator finished").isTrue();

            Verdict v = check(tag, client, load.records, participant.effects());
            long errors = countLines(coordinator.log(), " ERROR ");
            List<String> resumed = resumedAtStart(coordinator.log());
            System.out.println(tag + " summary: " + load.records.size() + " transactions attempted by " + CLIENTS
                    + " clients in " + loadMs + " ms; " + v.committed + " COMMITTED, " + v.aborted + " ABORTED ("
                    + v.abortReasons + "), " + v.neverStored + " never stored (begin answer lost); "
                    + "client calls unanswered: " + load.unknowns + "; unfinished when the load stopped: " + atStop
                    + "; unfinished found by each start: " + resumed
                    + "; all final " + finishMs + " ms after the load stopped; " + errors + " ERROR lines in "
                    + coordinator.log());
            System.out.println(tag + " participant answers: " + participant.results());
            if (!v.problems.isEmpty()) {
                fail(tag + " " + v.problems.size() + " inconsistencies (coordinator log: " + coordinator.log()
                        + "):\n  " + String.join("\n  ", v.problems.subList(0, Math.min(40, v.problems.size()))));
            }
            assertThat(v.committed).as(tag + " no transaction committed: the run proves nothing").isPositive();
            assertThat(v.aborted).as(tag + " no transaction aborted: the run proves nothing").isPositive();
        } finally {
            execute("DROP SCHEMA " + partSchema + " CASCADE");
        }
    }

    /** Polls the unfinished statuses until none is left; fails naming the stragglers. */
    private static void awaitNothingUnfinished(PactumClient client, String tag, Path log) throws InterruptedException {
        long deadline = System.nanoTime() + FINISH_WAIT.toNanos();
        List<TransactionView> left = unfinished(client);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(200);
            left = unfinished(client);
        }
        if (!left.isEmpty()) {
            StringBuilder sb = new StringBuilder();
            for (TransactionView t : left.subList(0, Math.min(20, left.size()))) {
                TransactionView full = client.get(t.gid());
                sb.append("\n  ").append(full.gid()).append(' ').append(full.status()).append(" reason=")
                        .append(full.reason()).append(" nextAttemptAt=").append(full.nextAttemptAt())
                        .append(" branches=").append(full.branches().stream()
                                .map(b -> b.branchId() + ":" + b.status() + "/" + b.attempts() + " " + b.lastError())
                                .toList());
            }
            fail(tag + " " + left.size() + " transactions still unfinished " + FINISH_WAIT + " after the load stopped"
                    + " (now " + Instant.now() + ", log " + log + "):" + sb);
        }
    }

    /** Counts by status, and when the last of them is next due: shows what the coordinator is waiting for. */
    private static String describe(List<TransactionView> unfinished) {
        Map<GlobalStatus, Integer> byStatus = new TreeMap<>();
        Instant latest = null;
        for (TransactionView t : unfinished) {
            byStatus.merge(t.status(), 1, Integer::sum);
            if (t.nextAttemptAt() != null && (latest == null || t.nextAttemptAt().isAfter(latest))) {
                latest = t.nextAttemptAt();
            }
        }
        return byStatus + (latest == null ? "" : " (the last next due in "
                + Duration.between(Instant.now(), latest).toMillis() + " ms)");
    }

    private static List<TransactionView> unfinished(PactumClient client) {
        List<TransactionView> out = new ArrayList<>();
        for (GlobalStatus s : GlobalStatus.values()) {
            if (!s.isFinal()) {
                out.addAll(listAll(client, s));
            }
        }
        return out;
    }

    private static List<TransactionView> listAll(PactumClient client, GlobalStatus status) {
        List<TransactionView> out = new ArrayList<>();
        String after = null;
        do {
            TransactionList page = client.list(status, after, 1000);
            out.addAll(page.transactions());
            after = page.next();
        } while (after != null);
        return out;
    }

    // ------------------------------------------------------------------------------------------------ the load

    /** What one client flow knows about its transaction. Written by its flow only, read after the load stopped. */
    static final class TxRecord {
        final String gid;
        final List<String> branches;
        final boolean abortOnPurpose;
        /** The coordinator answered the begin: it must know the gid. */
        boolean begun;
        /** A begin was sent but no answer came back: the gid may or may not be stored. */
        boolean beginUnknown;
        /** Registrations the coordinator acknowledged. */
        final Set<String> registered = new LinkedHashSet<>();
        /** Trys that answered 200. */
        final Set<String> tried = new LinkedHashSet<>();
        /** Trys that answered 409 (refused by the business code, or suspended after a Cancel). */
        final Set<String> refused = new LinkedHashSet<>();
        /** Trys with no clear answer (425, 5xx): they may or may not have taken effect. */
        final Set<String> tryUnclear = new LinkedHashSet<>();
        boolean submitSent;
        /** The status the submit answered with, if it answered 200. */
        GlobalStatus submitAnswer;
        /** The submit was refused with 409 (e.g. the timeout had passed). */
        boolean submitRefused;
        boolean abortSent;
        /** Anything the client did not expect (a 400 or 404 from the coordinator...): each is a failure. */
        final List<String> surprises = new ArrayList<>();

        TxRecord(String gid, List<String> branches, boolean abortOnPurpose) {
            this.gid = gid;
            this.branches = branches;
            this.abortOnPurpose = abortOnPurpose;
        }
    }

    /** A door the killer closes while the coordinator is down, so that clients wait rather than spin. */
    static final class Gate {
        private volatile CountDownLatch open = new CountDownLatch(0);

        void close() {
            open = new CountDownLatch(1);
        }

        void open() {
            open.countDown();
        }

        void pass() throws InterruptedException {
            if (!open.await(3, TimeUnit.MINUTES)) {
                throw new IllegalStateException("the coordinator stayed down for 3 minutes");
            }
        }
    }

    /** {@link #CLIENTS} flows running TCC transactions through the SDK until stopped. */
    static final class Load {
        final PactumClient client;
        final BarrierParticipant participant;
        final Gate gate = new Gate();
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicBoolean running = new AtomicBoolean(true);
        final ConcurrentMap<String, TxRecord> records = new ConcurrentHashMap<>();
        final ConcurrentMap<String, AtomicInteger> unknowns = new ConcurrentSkipListMap<>();
        final List<Thread> threads = new ArrayList<>();
        final ConcurrentMap<String, Throwable> crashed = new ConcurrentHashMap<>();

        Load(PactumClient client, BarrierParticipant participant) {
            this.client = client;
            this.participant = participant;
        }

        void start() {
            for (int i = 0; i < CLIENTS; i++) {
                threads.add(Thread.ofVirtual().name("kill-test-client-" + i).start(this::loop));
            }
        }

        /** Waits until {@code n} transactions were attempted or {@code max} has passed; not an assertion. */
        void awaitAttempted(int n, Duration max) throws InterruptedException {
            long deadline = System.nanoTime() + max.toNanos();
            while (next.get() < n && System.nanoTime() < deadline && crashed.isEmpty()) {
                Thread.sleep(20);
            }
        }

        /** Lets every flow finish its current transaction and waits for them (also when the killer failed). */
        void stop() throws InterruptedException {
            running.set(false);
            gate.open();
            for (Thread t : threads) {
                t.join(Duration.ofSeconds(60));
                if (t.isAlive()) {
                    throw new IllegalStateException(t.getName() + " did not finish its transaction within 60 s");
                }
            }
            if (!crashed.isEmpty()) {
                throw new IllegalStateException("client flows crashed: " + crashed);
            }
        }

        private void loop() {
            try {
                while (running.get()) {
                    gate.pass();
                    if (!running.get()) {
                        break;
                    }
                    int i = next.getAndIncrement();
                    // Two or three branches; every eleventh transaction is aborted by its client on purpose.
                    List<String> branches = i % 2 == 0 ? List.of("b0", "b1", "b2") : List.of("b0", "b1");
                    TxRecord r = new TxRecord(String.format("kt-%06d", i), branches, i % 11 == 5);
                    records.put(r.gid, r);
                    inFlight.incrementAndGet();
                    try {
                        runOne(r);
                    } finally {
                        inFlight.decrementAndGet();
                    }
                    Thread.sleep(CLIENT_PAUSE);
                }
            } catch (Throwable t) {
                crashed.put(Thread.currentThread().getName(), t);
            }
        }

        /** Counts calls left without an answer, by call and by what came back instead (for the summary). */
        private void unknown(String call, PactumException e) {
            String how = "unreachable".equals(e.code()) && e.getCause() != null
                    ? e.getCause().getClass().getSimpleName() : e.code();
            unknowns.computeIfAbsent(call + " " + how, k -> new AtomicInteger()).incrementAndGet();
        }

        /** One transaction. On an unanswered call it gives up: the coordinator's timeout or decision settles it. */
        private void runOne(TxRecord r) {
            TccTransaction tx;
            try {
                tx = client.beginTcc(r.gid, null); // null: the coordinator's --default-timeout (3 s)
                r.begun = true;
            } catch (PactumException e) {
                if (isUnanswered(e)) {
                    r.beginUnknown = true;
                    unknown("begin", e);
                } else {
                    r.surprises.add("begin failed: " + e);
                }
                return;
            }
            String failedTry = null;
            for (String b : r.branches) {
                try {
                    tx.tryBranch(b, participant.url(BranchOp.TRY), participant.url(BranchOp.CONFIRM),
                            participant.url(BranchOp.CANCEL), "{}");
                    r.registered.add(b);
                    r.tried.add(b);
                } catch (TryFailedException e) {
                    r.registered.add(b); // tryBranch registers first: the Try itself failed
                    if (e.outcome() == Outcome.FAILURE) {
                        r.refused.add(b);
                    } else {
                        // 425 (barrier lost a race) or 500: the Try may or may not have run. Aborting is the
                        // answer; the barrier makes the Cancel right either way.
                        r.tryUnclear.add(b);
                    }
                    failedTry = b;
                    break;
                } catch (ConflictException e) {
                    // The transaction left ACTIVE (its timeout passed while the coordinator was down): abort it.
                    failedTry = b + " (registration refused: " + e.status() + ")";
                    break;
                } catch (PactumException e) {
                    if (isUnanswered(e)) {
                        unknown("register", e);
                    } else {
                        r.surprises.add("registration of " + b + " failed: " + e);
                    }
                    return; // maybe registered, maybe not: the timeout aborts it either way
                }
            }
            if (failedTry != null || r.abortOnPurpose) {
                r.abortSent = true;
                try {
                    GlobalStatus s = tx.abort(failedTry != null ? "Try of " + failedTry + " failed" : "on purpose")
                            .status();
                    if (s != GlobalStatus.ABORTING && s != GlobalStatus.ABORTED) {
                        r.surprises.add("abort answered " + s);
                    }
                } catch (PactumException e) {
                    if (isUnanswered(e)) {
                        unknown("abort", e);
                    } else {
                        r.surprises.add("abort failed: " + e);
                    }
                }
                return;
            }
            r.submitSent = true;
            try {
                r.submitAnswer = tx.submit().status();
            } catch (ConflictException e) {
                r.submitRefused = true; // its timeout passed first: it is being aborted
            } catch (PactumException e) {
                if (isUnanswered(e)) {
                    unknown("submit", e);
                } else {
                    r.surprises.add("submit failed: " + e);
                }
            }
        }

        /** No answer from the coordinator (killed, or not back yet), or a 5xx: the call may or may not have acted. */
        private static boolean isUnanswered(PactumException e) {
            if (e instanceof ConflictException || e instanceof UnknownTransactionException) {
                return false;
            }
            return "unreachable".equals(e.code()) || "bad_answer".equals(e.code())
                    || (e.getMessage() != null && e.getMessage().startsWith("HTTP 5"));
        }
    }

    // ------------------------------------------------------------------------------------------------ the check

    static final class Verdict {
        int committed;
        int aborted;
        int neverStored;
        final Map<String, Integer> abortReasons = new TreeMap<>();
        final List<String> problems = new ArrayList<>();
    }

    /**
     * Holds every transaction the clients began against the coordinator's final view and the participant's
     * effects. Collects every inconsistency instead of stopping at the first, so one run shows the whole picture.
     */
    private static Verdict check(String tag, PactumClient client, Map<String, TxRecord> records,
                                 Map<String, Map<String, Map<String, Integer>>> effects) {
        Verdict v = new Verdict();
        List<String> p = v.problems;
        for (TxRecord r : new TreeMap<>(records).values()) {
            String g = r.gid;
            for (String s : r.surprises) {
                p.add(g + ": client surprise: " + s);
            }
            Map<String, Map<String, Integer>> fx = effects.getOrDefault(g, Map.of());
            TransactionView t;
            try {
                t = client.get(g);
            } catch (UnknownTransactionException e) {
                if (r.begun) {
                    p.add(g + ": the coordinator answered its begin, yet does not know it");
                } else if (!r.beginUnknown && !r.surprises.isEmpty()) {
                    // already reported as a surprise
                } else {
                    v.neverStored++;
                }
                if (!fx.isEmpty()) {
                    p.add(g + ": unknown to the coordinator but has business effects " + fx);
                }
                continue;
            }
            Map<String, BranchStatus> branches = new TreeMap<>();
            for (BranchView b : t.branches()) {
                branches.put(b.branchId(), b.status());
            }
            String where = g + " (" + t.status() + ", reason " + t.reason() + ", branches " + branches + ", effects "
                    + fx + ", client: " + clientView(r) + ")";

            if (!branches.keySet().containsAll(r.registered)) {
                p.add(where + ": a registration the coordinator acknowledged is missing");
            }
            for (String b : fx.keySet()) {
                if (!branches.containsKey(b)) {
                    p.add(where + ": branch " + b + " has effects but is not registered");
                }
            }
            for (Map.Entry<String, Map<String, Integer>> e : fx.entrySet()) {
                e.getValue().forEach((op, n) -> {
                    if (n > 1) {
                        p.add(where + ": " + op + " of branch " + e.getKey() + " applied " + n + " times");
                    }
                });
            }
            for (String b : r.tried) {
                if (count(fx, b, "try") != 1) {
                    p.add(where + ": the Try of " + b + " answered 200 but its effect is not there once");
                }
            }
            for (String b : r.refused) {
                // Refused by the business code (rolled back) or suspended behind a Cancel (never ran): no effect.
                if (count(fx, b, "try") != 0) {
                    p.add(where + ": the Try of " + b + " answered 409, yet its effect is there");
                }
            }

            switch (t.status()) {
                case COMMITTED -> {
                    v.committed++;
                    if (!r.submitSent) {
                        p.add(where + ": COMMITTED though its client never sent a submit");
                    }
                    if (r.submitRefused) {
                        p.add(where + ": COMMITTED though its submit was refused with 409");
                    }
                    if (branches.isEmpty()) {
                        p.add(where + ": COMMITTED with no branch");
                    }
                    for (Map.Entry<String, BranchStatus> b : branches.entrySet()) {
                        String id = b.getKey();
                        if (b.getValue() != BranchStatus.CONFIRMED) {
                            p.add(where + ": branch " + id + " is " + b.getValue() + " in a COMMITTED transaction");
                        }
                        if (!r.tried.contains(id)) {
                            p.add(where + ": Confirm without a successful Try of " + id + " (invariant 3)");
                        }
                        if (count(fx, id, "try") != 1 || count(fx, id, "confirm") != 1 || count(fx, id, "cancel") != 0) {
                            p.add(where + ": branch " + id + " of a COMMITTED transaction needs exactly one try and"
                                    + " one confirm effect and no cancel");
                        }
                    }
                }
                case ABORTED -> {
                    v.aborted++;
                    v.abortReasons.merge(reasonKind(t.reason()), 1, Integer::sum);
                    if (r.submitAnswer != null) {
                        p.add(where + ": ABORTED though its submit answered " + r.submitAnswer);
                    }
                    for (Map.Entry<String, BranchStatus> b : branches.entrySet()) {
                        String id = b.getKey();
                        if (b.getValue() != BranchStatus.CANCELLED) {
                            p.add(where + ": branch " + id + " is " + b.getValue() + " in an ABORTED transaction");
                        }
                        if (count(fx, id, "confirm") != 0) {
                            p.add(where + ": branch " + id + " of an ABORTED transaction was confirmed");
                        }
                        if (count(fx, id, "cancel") != count(fx, id, "try")) {
                            p.add(where + ": branch " + id + " of an ABORTED transaction: a Try that took effect"
                                    + " needs exactly one Cancel, and only such a Try");
                        }
                    }
                }
                default -> p.add(where + ": not final");
            }
            if (!r.submitSent && t.status() != GlobalStatus.ABORTED) {
                p.add(where + ": never submitted, so it must end ABORTED");
            }
        }
        // Effects of a gid nobody began would mean calls the coordinator made up.
        for (String g : effects.keySet()) {
            if (!records.containsKey(g)) {
                p.add(g + ": business effects for a gid no client began: " + effects.get(g));
            }
        }
        // The coordinator knows no gid the clients did not send.
        for (TransactionView t : listAll(client, null)) {
            if (!records.containsKey(t.gid())) {
                p.add(t.gid() + ": stored by the coordinator, but no client began it");
            }
        }
        return v;
    }

    private static int count(Map<String, Map<String, Integer>> fx, String branch, String op) {
        return fx.getOrDefault(branch, Map.of()).getOrDefault(op, 0);
    }

    private static String clientView(TxRecord r) {
        List<String> parts = new ArrayList<>();
        parts.add(r.begun ? "begun" : r.beginUnknown ? "begin unanswered" : "begin failed");
        parts.add("registered " + r.registered);
        parts.add("tried " + r.tried);
        if (!r.refused.isEmpty()) {
            parts.add("refused " + r.refused);
        }
        if (!r.tryUnclear.isEmpty()) {
            parts.add("Try unclear " + r.tryUnclear);
        }
        if (r.abortOnPurpose) {
            parts.add("abort on purpose");
        }
        if (r.abortSent) {
            parts.add("abort sent");
        }
        if (r.submitSent) {
            parts.add("submit " + (r.submitAnswer != null ? "answered " + r.submitAnswer
                    : r.submitRefused ? "refused" : "unanswered"));
        }
        return String.join(", ", parts);
    }

    private static String reasonKind(String reason) {
        if (reason == null) {
            return "no reason";
        }
        if (reason.startsWith("Try of")) {
            return "failed Try";
        }
        return reason;
    }

    // ------------------------------------------------------------------------------------------------ plumbing

    private static HikariDataSource participantPool(String schema) {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(PG_URL + "?currentSchema=" + schema);
        c.setUsername(PG_USER);
        c.setMaximumPoolSize(16);
        c.setPoolName("kill-test-participant");
        return new HikariDataSource(c);
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(PG_URL, PG_USER, null); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** Per incarnation, how many unfinished transactions it found in the store (from its start-up log line). */
    private static List<String> resumedAtStart(Path log) throws IOException {
        Pattern p = Pattern.compile("(\\d+) unfinished transactions to resume");
        try (var lines = Files.lines(log)) {
            return lines.map(p::matcher).filter(Matcher::find).map(m -> m.group(1)).toList();
        }
    }

    private static long countLines(Path file, String needle) throws IOException {
        try (var lines = Files.lines(file)) {
            return lines.filter(l -> l.contains(needle)).count();
        }
    }
}
