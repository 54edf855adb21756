package dev.pactum.rocketmq;

import com.zaxxer.hikari.HikariDataSource;
import dev.pactum.brokers.RocketMqBroker;
import dev.pactum.client.PactumClient;
import dev.pactum.client.barrier.BranchWork;
import dev.pactum.client.msg.MessageProducer;
import dev.pactum.core.CoordinatorConfig;
import dev.pactum.server.Coordinator;
import dev.pactum.server.ServerConfig;
import org.HdrHistogram.Histogram;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * By hand, not a test: transactional sends per second and send latency of {@link RocketMqProducer} on RocketMQ's
 * own transactional producer (a {@link RocketMqBroker} child JVM) beside {@link MessageProducer} on Pactum's own
 * message mode (the coordinator in this JVM, delivering to an HTTP sink in this JVM), the same local transaction
 * (one INSERT with the barrier row) on the same in-memory H2, the same closed loop of {@code threads} senders.
 *
 * <p>CPU is every process of each setup: RocketMQ = this JVM (producer) + the broker's JVM; Pactum = this JVM
 * (producer, coordinator, sink). docs/benchmarks.md, "RocketMQ's transactional send beside Pactum's".
 *
 * <p>Arguments (all optional): seconds per measured run (20), threads (8), warm-up seconds (5).
 */
public final class RocketMqVsMsgBench {
    private RocketMqVsMsgBench() {
    }

    record Figures(String name, long sends, long errors, double seconds, Histogram latency, long cpuMillis) {
        String line() {
            return String.format(Locale.ROOT, "%-34s %8.0f sends/s  p50 %6.2f ms  p99 %7.2f ms  max %7.2f ms"
                            + "  CPU %6.3f ms/send (%d sends, %d failed, in %.1f s)", name, sends / seconds,
                    latency.getValueAtPercentile(50) / 1e3, latency.getValueAtPercentile(99) / 1e3,
                    latency.getMaxValue() / 1e3, (double) cpuMillis / sends, sends, errors, seconds);
        }

        String json() {
            return String.format(Locale.ROOT, "{\"name\":\"%s\",\"sendsPerSecond\":%.1f,\"p50Ms\":%.3f,\"p99Ms\":%.3f,"
                            + "\"cpuMsPerSend\":%.4f,\"sends\":%d,\"failed\":%d}", name, sends / seconds,
                    latency.getValueAtPercentile(50) / 1e3, latency.getValueAtPercentile(99) / 1e3,
                    (double) cpuMillis / sends, sends, errors);
        }
    }

    interface Sender {
        void send(long order) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int warmUp = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        Path dir = Files.createTempDirectory("pactum-rmq-bench");
        System.setProperty("rocketmq.log.root", dir.resolve("client-logs").toString());
        HikariDataSource db = RocketMqTestKit.pool("jdbc:h2:mem:bench;DB_CLOSE_DELAY=-1", threads + 4);
        try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE orders (id BIGINT PRIMARY KEY, source VARCHAR(8))");
        }
        AtomicLong orders = new AtomicLong();
        List<Figures> figures = new ArrayList<>();

        Files.createDirectories(dir.resolve("rocketmq"));
        try (RocketMqBroker broker = new RocketMqBroker(dir.resolve("rocketmq"))) {
            broker.start();
            broker.createTopic("bench", 4);
            try (RocketMqProducer producer = RocketMqProducer.builder().nameServer(broker.nameServerAddress())
                    .producerGroup("bench-" + RocketMqTestKit.suffix()).dataSource(db).build()) {
                producer.createSchemaIfMissing();
                Sender s = order -> producer.send("bench", "{\"order\":" + order + "}", insert(order, "rmq"));
                run("warm-up", s, threads, warmUp, orders, -1);
                figures.add(run("RocketMQ transactional send", s, threads, seconds, orders, broker.pid()));
            }
        }

        LongAdder delivered = new LongAdder();
        Server sink = sink(delivered);
        CoordinatorConfig cc = CoordinatorConfig.builder().nodeId("bench").build();
        try (Coordinator coordinator = Coordinator.start(new ServerConfig("127.0.0.1", 0,
                Files.createDirectories(dir.resolve("coordinator")), null, null, null, 64 * 1024,
                Duration.ofSeconds(10), cc), Clock.systemUTC())) {
            int sinkPort = ((ServerConnector) sink.getConnectors()[0]).getLocalPort();
            MessageProducer producer = MessageProducer.builder()
                    .client(PactumClient.connect(URI.create("http://127.0.0.1:" + coordinator.port())))
                    .dataSource(db).checkUrl(URI.create("http://127.0.0.1:" + sinkPort + "/check"))
                    .checkTimeout(Duration.ofSeconds(30)).build();
            producer.createSchemaIfMissing();
            String destination = "http://127.0.0.1:" + sinkPort + "/deliver";
            Sender s = order -> producer.send(destination, "{\"order\":" + order + "}", insert(order, "msg"));
            run("warm-up", s, threads, warmUp, orders, -1);
            figures.add(run("Pactum MSG send (coordinator, HTTP)", s, threads, seconds, orders, -1));
        } finally {
            sink.stop();
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "%d threads, %d s each, H2 in memory, %d cores, load average %s%n", threads,
                seconds, Runtime.getRuntime().availableProcessors(),
                Files.readString(Path.of("/proc/loadavg")).strip());
        figures.forEach(f -> System.out.println(f.line()));
        System.out.println("{\"rocketmqVsMsg\":[" + figures.get(0).json() + "," + figures.get(1).json() + "]}");
        db.close();
        System.exit(0); // RocketMQ's client leaves non-daemon threads behind
    }

    private static BranchWork insert(long order, String source) {
        return conn -> {
            try (PreparedStatement ps = conn.prepareStatement("INSERT INTO orders (id, source) VALUES (?, ?)")) {
                ps.setLong(1, order);
                ps.setString(2, source);
                ps.executeUpdate();
            }
        };
    }

    /** A closed loop of {@code threads} senders for {@code seconds}; CPU of this JVM plus {@code otherPid}'s. */
    private static Figures run(String name, Sender sender, int threads, int seconds, AtomicLong orders, long otherPid)
            throws Exception {
        Histogram latency = new Histogram(60_000_000L, 3);
        LongAdder sends = new LongAdder();
        LongAdder errors = new LongAdder();
        long cpuBefore = cpuMillis(ProcessHandle.current().pid()) + cpuMillis(otherPid);
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> loops = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            loops.add(pool.submit(() -> {
                while (System.nanoTime() < end) {
                    long t0 = System.nanoTime();
                    try {
                        sender.send(orders.incrementAndGet());
                    } catch (RuntimeException e) {
                        // Counted, not timed: a broker that sheds load (RocketMQ's "broker busy") or a timeout.
                        if (errors.sum() == 0) {
                            System.out.println(name + ": first failure: " + e);
                        }
                        errors.increment();
                        continue;
                    }
                    long micros = (System.nanoTime() - t0) / 1000;
                    synchronized (latency) {
                        latency.recordValue(Math.min(micros, latency.getHighestTrackableValue()));
                    }
                    sends.increment();
                }
                return null;
            }));
        }
        for (Future<?> f : loops) {
            f.get();
        }
        pool.shutdown();
        double elapsed = (System.nanoTime() - start) / 1e9;
        long cpu = cpuMillis(ProcessHandle.current().pid()) + cpuMillis(otherPid) - cpuBefore;
        Figures f = new Figures(name, sends.sum(), errors.sum(), elapsed, latency, cpu);
        System.out.println(f.line());
        return f;
    }

    private static long cpuMillis(long pid) {
        return pid < 0 ? 0 : ProcessHandle.of(pid).flatMap(p -> p.info().totalCpuDuration())
                .map(Duration::toMillis).orElse(0L);
    }

    /**
     * Answers 200 to every delivery (counted), and 503 (unknown: ask again) to a check, which never comes: every
     * send submits well inside its check timeout.
     */
    private static Server sink(LongAdder delivered) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                boolean delivery = Request.getPathInContext(request).equals("/deliver");
                if (delivery) {
                    delivered.increment();
                }
                response.setStatus(delivery ? 200 : 503);
                callback.succeeded();
                return true;
            }
        });
        server.start();
        return server;
    }
}
