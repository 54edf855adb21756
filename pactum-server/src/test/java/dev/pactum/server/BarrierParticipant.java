package dev.pactum.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.pactum.api.BranchOp;
import dev.pactum.api.InvalidInputException;
import dev.pactum.client.barrier.Barrier;
import dev.pactum.client.barrier.BarrierKey;
import dev.pactum.client.barrier.BarrierResult;
import dev.pactum.client.barrier.BranchRefusedException;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A TCC participant in the test's JVM: one HTTP server for the Try, Confirm and Cancel of every branch, each run
 * through the SDK's {@link Barrier} on a real database.
 *
 * <p>The business effect of every operation is one row in {@value #EFFECTS}, written inside the barrier's local
 * transaction. The table has no unique key on purpose: an operation applied twice shows up as two rows instead of
 * being hidden by a constraint. A refused Try writes its row first and then refuses, so the barrier's rollback is
 * checked too (a refused Try must leave no row).
 *
 * <p>Which Trys refuse, and which calls misbehave, depends only on the gid, the branch and the run's seed, so a
 * failing run can be repeated. Misbehaviour, on the first call of a phase-2 operation only:
 * <ul>
 *   <li>answer 503 without doing anything (the coordinator must retry);</li>
 *   <li>do the work, then answer 503 (an answer lost after the effect: the retry must be a no-op);</li>
 *   <li>be slow before or after the work (so that kills land in the middle of phase-2 calls).</li>
 * </ul>
 * and on a few Trys:
 * <ul>
 *   <li>do the work, then answer 503: the client cannot know, aborts, and the Cancel must undo the Try;</li>
 *   <li>wait longer than the transaction's timeout first: the coordinator cancels the branch before its Try runs
 *       (an empty compensation), and the late Try must then do nothing (suspended, 409).</li>
 * </ul>
 */
final class BarrierParticipant implements AutoCloseable {
    static final String EFFECTS = "kt_effect";

    private final DataSource dataSource;
    private final Barrier barrier;
    private final long seed;
    private final HttpServer server;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Calls seen per key, to misbehave on the first call only (else a participant could refuse for ever). */
    private final ConcurrentMap<String, AtomicInteger> callsPerKey = new ConcurrentHashMap<>();
    /** "op result" -> count, for the summary: shows that retries, duplicates and empty compensations happened. */
    private final ConcurrentMap<String, LongAdder> results = new ConcurrentHashMap<>();

    BarrierParticipant(DataSource dataSource, long seed) throws IOException {
        this.dataSource = dataSource;
        this.seed = seed;
        barrier = Barrier.forDataSource(dataSource);
        barrier.createSchemaIfMissing();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            // No primary key, no unique constraint: duplicates must be visible, not prevented.
            s.execute("CREATE TABLE " + EFFECTS + " (gid VARCHAR(128) NOT NULL, branch_id VARCHAR(128) NOT NULL,"
                    + " op VARCHAR(16) NOT NULL, applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)");
        } catch (SQLException e) {
            throw new IOException("cannot create " + EFFECTS + ": " + e.getMessage(), e);
        }
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        for (BranchOp op : BranchOp.values()) {
            server.createContext("/" + op.wire(), ex -> handle(ex, op));
        }
        server.start();
    }

    String url(BranchOp op) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + op.wire();
    }

    /** Whether the Try of this branch refuses (409): a function of the gid alone, so it is the same on every run. */
    static boolean refusesTry(String gid, String branchId) {
        return "b1".equals(branchId) && Math.floorMod(gid.hashCode() * 31 + 7, 8) == 0;
    }

    /** Longer than the coordinator's --default-timeout of 3 s plus a recovery pass. */
    static final Duration LATE_TRY = Duration.ofSeconds(4);

    private enum Misbehaviour { NONE, UNAVAILABLE, LOSE_ANSWER, SLOW_BEFORE, SLOW_AFTER, LATE }

    private int hash(BarrierKey key, int buckets) {
        return Math.floorMod((key.gid() + "/" + key.branchId() + "/" + key.op().wire()).hashCode() ^ (int) seed
                ^ (int) (seed >>> 32), buckets);
    }

    private Misbehaviour misbehaviour(BarrierKey key) {
        if (key.op() == BranchOp.TRY) {
            return switch (hash(key, 60)) {
                case 0 -> Misbehaviour.LATE;
                case 1 -> Misbehaviour.LOSE_ANSWER;
                default -> Misbehaviour.NONE;
            };
        }
        int call = callsPerKey.computeIfAbsent(key.gid() + "/" + key.branchId() + "/" + key.op().wire(),
                k -> new AtomicInteger()).incrementAndGet();
        if (call > 1) {
            return Misbehaviour.NONE;
        }
        return switch (hash(key, 20)) {
            case 0 -> Misbehaviour.UNAVAILABLE;
            case 1 -> Misbehaviour.LOSE_ANSWER;
            case 2, 3 -> Misbehaviour.SLOW_BEFORE;
            case 4, 5 -> Misbehaviour.SLOW_AFTER;
            default -> Misbehaviour.NONE;
        };
    }

    private void handle(HttpExchange ex, BranchOp pathOp) throws IOException {
        inFlight.incrementAndGet();
        try (ex) {
            try (InputStream in = ex.getRequestBody()) {
                in.readAllBytes();
            }
            BarrierKey key;
            try {
                key = BarrierKey.fromHeaders(ex.getRequestHeaders()::getFirst);
            } catch (InvalidInputException e) {
                count(pathOp, "BAD_REQUEST");
                respond(ex, 400, e.field() + ": " + e.getMessage());
                return;
            }
            if (key.op() != pathOp) {
                count(pathOp, "BAD_REQUEST");
                respond(ex, 400, "header op " + key.op().wire() + " on the " + pathOp.wire() + " URL");
                return;
            }
            Misbehaviour m = misbehaviour(key);
            if (m == Misbehaviour.UNAVAILABLE) {
                count(pathOp, "INJECTED_503");
                respond(ex, 503, "injected: unavailable");
                return;
            }
            if (m == Misbehaviour.SLOW_BEFORE) {
                sleep(Duration.ofMillis(50));
            } else if (m == Misbehaviour.LATE) {
                count(pathOp, "INJECTED_LATE");
                sleep(LATE_TRY);
            }
            BarrierResult r;
            try {
                r = barrier.run(key, conn -> {
                    try (PreparedStatement ps = conn.prepareStatement(
                            "INSERT INTO " + EFFECTS + " (gid, branch_id, op) VALUES (?, ?, ?)")) {
                        ps.setString(1, key.gid());
                        ps.setString(2, key.branchId());
                        ps.setString(3, key.op().wire());
                        ps.executeUpdate();
                    }
                    if (key.op() == BranchOp.TRY && refusesTry(key.gid(), key.branchId())) {
                        throw new BranchRefusedException("branch " + key.branchId() + " of " + key.gid()
                                + " refuses its Try (by gid)");
                    }
                });
            } catch (RuntimeException e) { // BarrierException (database trouble) included: answer 500, the caller retries
                count(pathOp, "ERROR");
                respond(ex, 500, e.toString());
                return;
            }
            count(pathOp, r.name());
            if (m == Misbehaviour.SLOW_AFTER) {
                sleep(Duration.ofMillis(50));
            }
            if (m == Misbehaviour.LOSE_ANSWER) {
                count(pathOp, "INJECTED_LOST_ANSWER");
                respond(ex, 503, "injected: done, but answering 503");
                return;
            }
            respond(ex, r.httpStatus(), r.name());
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private void count(BranchOp op, String what) {
        results.computeIfAbsent(op.wire() + " " + what, k -> new LongAdder()).increment();
    }

    private static void respond(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        if (b.length > 0) {
            ex.getResponseBody().write(b);
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits until no call is being handled. A call the killed coordinator sent may still be running here; its
     * effect (or its barrier no-op) must be in the table before the effects are checked.
     */
    boolean awaitQuiet(Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (inFlight.get() > 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /** gid -> branch -> op -> how many effect rows. */
    Map<String, Map<String, Map<String, Integer>>> effects() throws SQLException {
        Map<String, Map<String, Map<String, Integer>>> out = new HashMap<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT gid, branch_id, op, COUNT(*) FROM " + EFFECTS
                     + " GROUP BY gid, branch_id, op");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.computeIfAbsent(rs.getString(1), g -> new TreeMap<>())
                        .computeIfAbsent(rs.getString(2), b -> new TreeMap<>())
                        .put(rs.getString(3), rs.getInt(4));
            }
        }
        return out;
    }

    /** What the participant answered, by operation and result, for the summary. */
    Map<String, Long> results() {
        Map<String, Long> out = new TreeMap<>();
        results.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
