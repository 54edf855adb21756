package dev.pactum.brokers;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A single-node KRaft Kafka (broker and controller in one process) in a child JVM, for the tests, the demo and the
 * benchmark: no Docker, nothing downloaded at run time; the broker's jar ({@code kafka_2.13}) comes from this JVM's
 * class path. Small on purpose: 256 MiB heap, one network and two I/O threads, replication factor 1 everywhere, no
 * topic auto-creation.
 *
 * <p>{@link #kill()} and {@link #start()} again restart it on the same ports and log directory, as a broker
 * restart mid-stream.
 */
public final class KafkaBroker implements AutoCloseable {
    private static final Duration READY_WITHIN = Duration.ofSeconds(90);

    private final Path dir;
    private final int port;
    private final int controllerPort;
    private final String clusterId = Uuid.randomUuid().toString();
    private final ChildJvm jvm;

    public KafkaBroker(Path dir) throws IOException {
        this.dir = dir;
        this.port = freePort();
        this.controllerPort = freePort();
        this.jvm = new ChildJvm("the Kafka broker", dir.resolve("broker.log"));
        Files.writeString(dir.resolve("server.properties"), String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name=PLAINTEXT",
                "log.dirs=" + dir.resolve("data"),
                "num.partitions=1",
                "auto.create.topics.enable=false",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                // A restart after kill -9 waits for the old registration to expire: keep that short.
                "broker.heartbeat.interval.ms=500",
                "broker.session.timeout.ms=3000",
                "num.network.threads=1",
                "num.io.threads=2",
                "background.threads=2",
                "num.recovery.threads.per.data.dir=1",
                "log.cleaner.threads=1",
                "log.cleaner.dedupe.buffer.size=2097152",
                ""));
    }

    public String bootstrap() {
        return "127.0.0.1:" + port;
    }

    /** Starts the child JVM and waits (bounded) until the broker answers. */
    public void start() throws IOException, InterruptedException {
        jvm.start(List.of("-Xmx256m", "-Xms64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k"),
                KafkaBrokerMain.class.getName(), List.of(dir.resolve("server.properties").toString(), clusterId));
        Instant deadline = Instant.now().plus(READY_WITHIN);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000))) {
            while (true) {
                jvm.requireAlive();
                try {
                    if (!admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (Exception notYet) {
                    // not up yet
                }
                if (Instant.now().isAfter(deadline)) {
                    throw jvm.notReady("did not answer within " + READY_WITHIN);
                }
                Thread.sleep(200);
            }
        }
    }

    public void createTopic(String topic, int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * Reads {@code topic} from the start of every partition until {@code atLeast} records have come or {@code within}
     * has passed: each partition's records in offset order, by partition. What the tests check delivery against.
     */
    public Map<Integer, List<ConsumerRecord<byte[], byte[]>>> readAll(String topic, int atLeast, Duration within) {
        Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> out = new java.util.HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo p : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
                parts.add(new TopicPartition(topic, p.partition()));
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Instant deadline = Instant.now().plus(within);
            int count = 0;
            while (count < atLeast && Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    out.computeIfAbsent(r.partition(), k -> new ArrayList<>()).add(r);
                    count++;
                }
            }
        }
        return out;
    }

    /** kill -9 of the broker's process; waits (bounded) until it is gone. */
    public void kill() throws InterruptedException {
        jvm.kill();
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
