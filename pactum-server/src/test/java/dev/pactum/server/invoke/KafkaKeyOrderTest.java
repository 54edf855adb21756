package dev.pactum.server.invoke;

import dev.pactum.api.BeginRequest;
import dev.pactum.api.BranchRequest;
import dev.pactum.api.GlobalStatus;
import dev.pactum.api.Operation;
import dev.pactum.api.SubmitRequest;
import dev.pactum.api.TxPattern;
import dev.pactum.brokers.KafkaBroker;
import dev.pactum.connectors.Connector;
import dev.pactum.connectors.ConnectorTimeouts;
import dev.pactum.connectors.Connectors;
import dev.pactum.connectors.Delivery;
import dev.pactum.connectors.Message;
import dev.pactum.connectors.kafka.KafkaConnector;
import dev.pactum.connectors.kafka.KafkaConnectorConfig;
import dev.pactum.core.CoordinatorConfig;
import dev.pactum.core.CoordinatorMetrics;
import dev.pactum.core.Engine;
import dev.pactum.core.spi.TransactionStore;
import dev.pactum.store.jdbc.JdbcStoreConfig;
import dev.pactum.store.jdbc.JdbcTransactionStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Order per key end to end, on a real Kafka broker (KRaft, from its Maven Central jar) and a PostgreSQL store shared by
 * two coordinator nodes: many keyed messages are committed concurrently (keys in parallel, each key's messages one
 * after the other, alternating between the nodes), the first delivery of about a third of them fails and is retried
 * with backoff, and a consumer reading the topic sees each key's messages in the order their commits were decided.
 * Without the lanes, a message committed after one whose first delivery failed overtakes it.
 *
 * <p>The failures are made in front of the real connector ({@link FailFirst}: the first delivery of a chosen message
 * is answered "try later" without being sent), because a broker cannot be asked to fail one record of its choosing.
 */
class KafkaKeyOrderTest {
    private static final String PG_URL = "jdbc:postgresql://127.0.0.1:5432/test";
    private static final int KEYS = 4;
    private static final int PER_KEY = 20;

    @TempDir
    static Path dir;
    static KafkaBroker broker;
    static String topic;
    static String schema;

    @BeforeAll
    static void start() throws Exception {
        broker = new KafkaBroker(dir); // its own directory: the broker writes its files into it
        broker.start();
        String run = Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
        topic = "pactum-order-" + run;
        broker.createTopic(topic, 3);
        schema = "pactum_order_" + run;
        execute("CREATE SCHEMA " + schema);
    }

    @AfterAll
    static void stop() throws Exception {
        if (broker != null) {
            broker.close();
        }
        if (schema != null) {
            execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(PG_URL, "postgres", null); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** The real Kafka connector, except that the first delivery of each message in {@code failFirst} is not sent. */
    static final class FailFirst implements Connector {
        private final Connector real;
        private final Set<String> failFirst;

        FailFirst(Connector real, Set<String> failFirst) {
            this.real = real;
            this.failFirst = failFirst;
        }

        @Override
        public String name() {
            return "fail-first " + real.name();
        }

        @Override
        public Set<String> schemes() {
            return real.schemes();
        }

        @Override
        public boolean supports(URI destination) {
            return real.supports(destination);
        }

        @Override
        public Delivery deliver(Message message) {
            if (failFirst.remove(message.id().gid())) {
                return Delivery.tryLater("made to fail once by the test");
            }
            return real.deliver(message);
        }

        @Override
        public void close() {
            real.close();
        }
    }

    private static Engine node(String id, TransactionStore store, Set<String> failFirst) {
        ConnectorTimeouts timeouts = new ConnectorTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(3));
        Connectors connectors = Connectors.builder()
                .add(new FailFirst(new KafkaConnector(KafkaConnectorConfig.defaults(timeouts)), failFirst)).build();
        CoordinatorConfig cc = CoordinatorConfig.builder().nodeId(id).retryBase(Duration.ofMillis(50))
                .retryCap(Duration.ofMillis(400)).workerInterval(Duration.ofMillis(50)).build();
        Engine e = new Engine(store, new RoutingBranchInvoker(new HttpBranchInvoker(Duration.ofSeconds(5)), connectors), cc,
                new CoordinatorMetrics(new SimpleMeterRegistry()), Clock.systemUTC());
        e.worker().start();
        return e;
    }

    @Test
    void eachKeysMessagesReachTheConsumerInTheOrderTheirCommitsWereDecided() throws Exception {
        String destination = "kafka://" + broker.bootstrap() + "/" + topic;
        Set<String> failFirst = ConcurrentHashMap.newKeySet();
        Map<String, List<String>> expected = new HashMap<>();
        for (int k = 0; k < KEYS; k++) {
            List<String> gids = new ArrayList<>();
            for (int i = 0; i < PER_KEY; i++) {
                String gid = "ord-" + k + "-" + i;
                gids.add(gid);
                if (ThreadLocalRandom.current().nextInt(3) == 0) {
                    failFirst.add(gid);
                }
            }
            expected.put("key-" + k, gids);
        }
        int failing = failFirst.size();
        JdbcStoreConfig sc = new JdbcStoreConfig(PG_URL + "?currentSchema=" + schema, "postgres", null, 8);
        try (JdbcTransactionStore s1 = JdbcTransactionStore.open(sc); JdbcTransactionStore s2 = JdbcTransactionStore.open(sc);
             Engine n1 = node("order-n1", s1, failFirst); Engine n2 = node("order-n2", s2, failFirst)) {
            List<Engine> nodes = List.of(n1, n2);
            ExecutorService pool = Executors.newFixedThreadPool(KEYS);
            try {
                List<Future<?>> keys = new ArrayList<>();
                for (Map.Entry<String, List<String>> e : expected.entrySet()) {
                    keys.add(pool.submit(() -> {
                        List<String> gids = e.getValue();
                        for (int i = 0; i < gids.size(); i++) {
                            Engine n = nodes.get(i % 2);
                            n.service().begin(new BeginRequest(gids.get(i), TxPattern.MSG, 60_000L, List.of(
                                    BranchRequest.of("m1", List.of(new Operation("deliver", destination, gids.get(i),
                                            e.getKey(), Map.of("seq", String.valueOf(i))),
                                            Operation.of("check", "http://127.0.0.1:1/check"))))));
                            // The submit returns once the commit is decided: the next one of this key comes after it.
                            n.service().submit(gids.get(i), new SubmitRequest(List.of("m1")));
                        }
                        return null;
                    }));
                }
                for (Future<?> f : keys) {
                    f.get(60, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            awaitAllCommitted(s1, expected);
        }
        assertThat(failFirst).as("every chosen message failed its first delivery").isEmpty();
        assertThat(failing).isPositive();

        Map<String, List<String>> seen = readByKey(KEYS * PER_KEY);
        for (Map.Entry<String, List<String>> e : expected.entrySet()) {
            assertThat(seen.get(e.getKey())).as("the messages of " + e.getKey() + ", first arrival of each")
                    .containsExactlyElementsOf(e.getValue());
        }
    }

    private static void awaitAllCommitted(TransactionStore store, Map<String, List<String>> expected) throws Exception {
        Instant deadline = Instant.now().plusSeconds(90);
        List<String> left = new ArrayList<>();
        expected.values().forEach(left::addAll);
        while (!left.isEmpty() && Instant.now().isBefore(deadline)) {
            left.removeIf(gid -> store.find(gid).map(t -> t.status() == GlobalStatus.COMMITTED).orElse(false));
            Thread.sleep(100);
        }
        assertThat(left).as("messages not delivered within the bound").isEmpty();
    }

    /** Each key's message ids (the Pactum-Gid header) in the order the consumer reads them, a repeat kept only once. */
    private static Map<String, List<String>> readByKey(int atLeast) {
        Map<String, Set<String>> byKey = new HashMap<>();
        broker.readAll(topic, atLeast, Duration.ofSeconds(30)).values().forEach(partition -> partition.forEach(r -> {
            assertThat(header(r, "seq")).as("the message's own header").isNotNull();
            byKey.computeIfAbsent(new String(r.key(), StandardCharsets.UTF_8), x -> new LinkedHashSet<>())
                    .add(header(r, "Pactum-Gid"));
        }));
        Map<String, List<String>> out = new HashMap<>();
        byKey.forEach((k, v) -> out.put(k, List.copyOf(v)));
        return out;
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
