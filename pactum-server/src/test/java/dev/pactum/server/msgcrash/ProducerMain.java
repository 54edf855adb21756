package dev.pactum.server.msgcrash;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.pactum.api.PactumException;
import dev.pactum.client.PactumClient;
import dev.pactum.client.msg.MessageException;
import dev.pactum.client.msg.MessageProducer;
import dev.pactum.client.msg.SendResult;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * The producer of the message crash tests, a process of its own: sends messages {@code 0 .. count-1} with
 * {@link MessageProducer} against a real coordinator, each local transaction writing the row {@code crash_order(idx)}
 * in its own PostgreSQL schema, and serves the check endpoint ({@code POST /check}) and {@code GET /health} on
 * {@code --port}.
 *
 * <p>Deterministic by index: {@link #rolledBackOnPurpose} indexes throw from their work (rolled back, message
 * aborted); the first local transaction from index {@code --halt-at} on that commits halts the process with
 * {@link Runtime#halt} (like kill -9: no shutdown hook, no abort, no submit) right after its local commit and before
 * its submit, so only the check-back can commit that message; its index is in {@code crash_halt}, committed with it. Before each send, the index and its intent go to {@code crash_attempt} with auto-commit; a restarted
 * producer skips every index already attempted, and so never halts twice with the same arguments.
 *
 * <p>When every index is attempted it writes its counts to {@code --done-file} and goes on serving check-backs until
 * it is stopped.
 */
public final class ProducerMain {
    /** The exit status of the failpoint's halt, so the test tells it from any other death. */
    static final int HALTED = 97;
    /** How long a send whose begin got no answer is retried before its index is given up (a bound, not a pause). */
    private static final Duration BEGIN_RETRY_FOR = Duration.ofSeconds(90);
    private static final ThreadLocal<Boolean> HALT_AFTER_COMMIT = ThreadLocal.withInitial(() -> false);

    private final Map<String, String> args;
    /** The failpoint is armed for one local transaction at a time, from index --halt-at on, until one commits. */
    private final AtomicBoolean haltArmed = new AtomicBoolean();
    private final ConcurrentHashMap<String, AtomicInteger> counts = new ConcurrentHashMap<>();

    private ProducerMain(Map<String, String> args) {
        this.args = args;
    }

    static boolean rolledBackOnPurpose(int idx) {
        return idx % 7 == 3;
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new HashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            args.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
        }
        new ProducerMain(args).run();
    }

    private String arg(String name) {
        String v = args.get(name);
        if (v == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return v;
    }

    private void run() throws Exception {
        int port = Integer.parseInt(arg("port"));
        int count = Integer.parseInt(arg("count"));
        int threads = Integer.parseInt(arg("threads"));
        int haltAt = Integer.parseInt(arg("halt-at"));
        Duration pause = Duration.ofMillis(Long.parseLong(arg("pause-ms")));
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(arg("jdbc"));
        hc.setUsername("postgres");
        hc.setMaximumPoolSize(threads + 4);
        hc.setPoolName("crash-producer");
        try (HikariDataSource pool = new HikariDataSource(hc);
             PactumClient client = PactumClient.connect(URI.create(arg("coordinator")), Duration.ofSeconds(5))) {
            execute(pool, "CREATE TABLE IF NOT EXISTS crash_attempt (idx INT PRIMARY KEY,"
                    + " intent VARCHAR(16) NOT NULL)");
            execute(pool, "CREATE TABLE IF NOT EXISTS crash_order (idx INT PRIMARY KEY)");
            execute(pool, "CREATE TABLE IF NOT EXISTS crash_halt (idx INT PRIMARY KEY)");
            MessageProducer producer = MessageProducer.builder()
                    .client(client)
                    .dataSource(haltingAfterCommit(pool))
                    .checkUrl(URI.create("http://127.0.0.1:" + port + "/check"))
                    .checkTimeout(Duration.ofMillis(Long.parseLong(arg("check-timeout-ms"))))
                    .checkLockWait(Duration.ofSeconds(1))
                    .build();
            producer.createSchemaIfMissing();
            HttpServer server = serve(port, producer);

            ConcurrentLinkedQueue<Integer> todo = new ConcurrentLinkedQueue<>();
            Set<Integer> attempted = attempted(pool);
            for (int i = 0; i < count; i++) {
                if (!attempted.contains(i)) {
                    todo.add(i);
                }
            }
            // Armed once per run: a restarted producer finds an attempt at or after --halt-at and halts no more.
            haltArmed.set(attempted.stream().noneMatch(i -> i >= haltAt));
            System.out.println("producer: " + attempted.size() + " already attempted, " + todo.size() + " to send"
                    + (haltArmed.get() ? ", failpoint armed from idx " + haltAt : ""));
            ExecutorService senders = Executors.newFixedThreadPool(threads);
            for (int t = 0; t < threads; t++) {
                senders.submit(() -> {
                    for (Integer idx = todo.poll(); idx != null; idx = todo.poll()) {
                        sendOne(producer, pool, idx, idx >= haltAt);
                        Thread.sleep(pause);
                    }
                    return null;
                });
            }
            senders.shutdown();
            if (!senders.awaitTermination(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException("the senders did not finish in 10 minutes");
            }
            String summary = new TreeMap<>(counts).toString();
            System.out.println("producer: done " + summary);
            Path done = Path.of(arg("done-file"));
            Files.writeString(done.resolveSibling(done.getFileName() + ".tmp"), summary, StandardCharsets.UTF_8);
            Files.move(done.resolveSibling(done.getFileName() + ".tmp"), done);
            Thread.currentThread().join(); // serve check-backs until stopped
            server.stop(0);
        }
    }

    /** One index: its attempt record, then the send; a begin without an answer is sent again (bounded). */
    private void sendOne(MessageProducer producer, DataSource pool, int idx, boolean mayHalt)
            throws SQLException, InterruptedException {
        boolean rollback = rolledBackOnPurpose(idx);
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO crash_attempt (idx, intent) VALUES (?, ?)"
                     + " ON CONFLICT DO NOTHING")) {
            ps.setInt(1, idx);
            ps.setString(2, rollback ? "rollback" : "commit");
            ps.executeUpdate();
        }
        long deadline = System.nanoTime() + BEGIN_RETRY_FOR.toNanos();
        while (true) {
            boolean[] workRan = {false};
            boolean[] armedHere = {false};
            try {
                SendResult r = producer.send(arg("destination"), "idx=" + idx, conn -> {
                    workRan[0] = true;
                    try (PreparedStatement ps = conn.prepareStatement("INSERT INTO crash_order (idx) VALUES (?)")) {
                        ps.setInt(1, idx);
                        ps.executeUpdate();
                    }
                    if (rollback) {
                        throw new IllegalStateException("rolled back on purpose: idx " + idx);
                    }
                    if (mayHalt && haltArmed.compareAndSet(true, false)) {
                        armedHere[0] = true;
                        try (PreparedStatement ps = conn.prepareStatement("INSERT INTO crash_halt (idx) VALUES (?)")) {
                            ps.setInt(1, idx); // commits with the business row: the test reads which index halted
                            ps.executeUpdate();
                        }
                        HALT_AFTER_COMMIT.set(true);
                    }
                });
                count(r.state().name());
                return;
            } catch (MessageException e) {
                count(e.code()); // the local transaction did not commit, or its outcome is left to the check-back
                return;
            } catch (PactumException e) {
                if (workRan[0] || System.nanoTime() > deadline) {
                    count("surprise: " + e.code());
                    System.out.println("producer: idx " + idx + ": " + e);
                    return;
                }
                count("begin retried");
                Thread.sleep(200); // the coordinator is down or restarting
            } catch (IllegalStateException e) {
                count(rollback ? "rolled back on purpose" : "surprise: " + e);
                return;
            } finally {
                HALT_AFTER_COMMIT.remove();
                if (armedHere[0]) {
                    haltArmed.set(true); // this one did not commit (an early check-back, say): the next one halts
                }
            }
        }
    }

    private void count(String what) {
        counts.computeIfAbsent(what, k -> new AtomicInteger()).incrementAndGet();
    }

    private static HttpServer serve(int port, MessageProducer producer) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/health", ex -> answer(ex, 200));
        server.createContext("/check", ex -> {
            int status;
            try {
                status = producer.checkFromHeaders(ex.getRequestHeaders()::getFirst).httpStatus();
            } catch (RuntimeException e) {
                status = 400;
            }
            answer(ex, status);
        });
        server.start();
        return server;
    }

    private static void answer(HttpExchange ex, int status) throws IOException {
        ex.getRequestBody().readAllBytes();
        ex.sendResponseHeaders(status, -1);
        ex.close();
    }

    private static Set<Integer> attempted(DataSource pool) throws SQLException {
        Set<Integer> s = new HashSet<>();
        try (Connection c = pool.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT idx FROM crash_attempt")) {
            while (rs.next()) {
                s.add(rs.getInt(1));
            }
        }
        return s;
    }

    private static void execute(DataSource pool, String sql) throws SQLException {
        try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    /**
     * The failpoint: a data source whose connections halt the process right after a successful commit on a thread
     * whose work armed {@link #HALT_AFTER_COMMIT}, i.e. between the local commit and the submit of
     * {@link MessageProducer#send}. The SDK is not touched; the halt is what kill -9 would do at that instant.
     */
    private static DataSource haltingAfterCommit(DataSource pool) {
        return (DataSource) Proxy.newProxyInstance(ProducerMain.class.getClassLoader(),
                new Class<?>[]{DataSource.class}, (ds, m, a) -> {
                    Object r = invoke(pool, m, a);
                    if (!(r instanceof Connection conn)) {
                        return r;
                    }
                    return Proxy.newProxyInstance(ProducerMain.class.getClassLoader(),
                            new Class<?>[]{Connection.class}, (c, cm, ca) -> {
                                Object cr = invoke(conn, cm, ca);
                                if (cm.getName().equals("commit") && HALT_AFTER_COMMIT.get()) {
                                    System.out.println("producer: failpoint: halting after the local commit");
                                    System.out.flush();
                                    Runtime.getRuntime().halt(HALTED);
                                }
                                return cr;
                            });
                });
    }

    private static Object invoke(Object target, Method m, Object[] a) throws Throwable {
        try {
            return m.invoke(target, a);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
