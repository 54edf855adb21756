package dev.pactum.connectors.kafka;

import dev.pactum.brokers.KafkaBroker;
import dev.pactum.api.MessageId;
import dev.pactum.connectors.ConnectorTimeouts;
import dev.pactum.connectors.Delivery;
import dev.pactum.connectors.Message;
import dev.pactum.connectors.TestStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The Kafka connector against a real single-node KRaft broker started from its Maven Central jar, one per class. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KafkaConnectorTest {
    static final int PARTITIONS = 3;
    static final Duration READ_WITHIN = Duration.ofSeconds(60);

    Path dir;
    KafkaBroker broker;
    KafkaConnector connector;

    @BeforeAll
    void startBroker() throws Exception {
        dir = Files.createTempDirectory("pactum-kafka-");
        broker = new KafkaBroker(dir);
        broker.start();
        connector = new KafkaConnector(KafkaConnectorConfig.defaults(
                new ConnectorTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(15))));
    }

    @AfterAll
    void stopBroker() throws Exception {
        if (connector != null) {
            connector.close();
        }
        if (broker != null) {
            broker.close();
        }
        if (dir != null) {
            try (var paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private String newTopic() throws Exception {
        String topic = "t-" + UUID.randomUUID().toString().substring(0, 8);
        broker.createTopic(topic, PARTITIONS);
        return topic;
    }

    private URI uri(String topic) {
        return URI.create("kafka://" + broker.bootstrap() + "/" + topic);
    }

    @Test
    void everyMessageArrivesAndEachKeyKeepsItsOrderInOnePartition() throws Exception {
        String topic = newTopic();
        TestStream stream = new TestStream(uri(topic), 5);
        int n = 100;
        TestStream.assertAll(stream.deliver(connector, 0, n), Delivery.Status.DELIVERED);

        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> byPartition = readAll(topic, n);
        List<TestStream.Received> all = new ArrayList<>();
        Map<String, Set<Integer>> partitionsOfKey = new HashMap<>();
        byPartition.forEach((p, records) -> {
            List<TestStream.Received> inPartition = records.stream().map(KafkaConnectorTest::received).toList();
            stream.assertPerKeyOrder(inPartition);
            all.addAll(inPartition);
            inPartition.forEach(r -> partitionsOfKey.computeIfAbsent(r.key(), k -> new HashSet<>()).add(p));
        });
        stream.assertAllArrived(all, n);
        partitionsOfKey.forEach((k, ps) -> assertThat(ps).as("partitions of key %s", k).hasSize(1));

        ConsumerRecord<byte[], byte[]> first = byPartition.values().iterator().next().get(0);
        assertThat(header(first, "Pactum-Gid")).isEqualTo(stream.gid);
        assertThat(header(first, "traceparent")).isEqualTo("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        assertThat(header(first, "X-Test")).isEqualTo("yes");
    }

    @Test
    void aTopicThatDoesNotExistIsTryLaterNotAnException() {
        try (KafkaConnector quick = quickConnector()) {
            Delivery d = quick.deliver(message(uri("no-such-topic-" + UUID.randomUUID()), new byte[] {1}));
            assertThat(d.status()).as("%s", d).isEqualTo(Delivery.Status.TRY_LATER);
        }
    }

    @Test
    void anUnreachableBrokerIsTryLaterNotAnException() throws Exception {
        try (KafkaConnector quick = quickConnector()) {
            Delivery d = quick.deliver(message(URI.create("kafka://127.0.0.1:" + KafkaBroker.freePort() + "/t"),
                    new byte[] {1}));
            assertThat(d.status()).as("%s", d).isEqualTo(Delivery.Status.TRY_LATER);
        }
    }

    @Test
    void aRecordLargerThanTheProducerAcceptsIsRefused() throws Exception {
        String topic = newTopic();
        Delivery d = connector.deliver(message(uri(topic), new byte[2 * 1024 * 1024]));
        assertThat(d.status()).as("%s", d).isEqualTo(Delivery.Status.REFUSED);
        assertThat(d.detail()).contains("RecordTooLargeException");
    }

    @Test
    void aBrokerRestartMidStreamLosesNothingThatWasDelivered() throws Exception {
        String topic = newTopic();
        TestStream stream = new TestStream(uri(topic), 3);
        try (KafkaConnector quick = quickConnector()) {
            TestStream.assertAll(stream.deliver(quick, 0, 30), Delivery.Status.DELIVERED);
            broker.kill();
            Delivery during = quick.deliver(stream.message(30));
            assertThat(during.status()).as("%s", during).isEqualTo(Delivery.Status.TRY_LATER);
            broker.start();
            // The same producer reconnects by itself; message 30 is delivered again, as a retry would.
            TestStream.assertAll(stream.deliver(quick, 30, 60), Delivery.Status.DELIVERED);
        }
        List<TestStream.Received> all = new ArrayList<>();
        readAll(topic, 60).forEach((p, records) -> {
            List<TestStream.Received> inPartition = records.stream().map(KafkaConnectorTest::received).toList();
            stream.assertPerKeyOrder(inPartition);
            all.addAll(inPartition);
        });
        stream.assertAllArrived(all, 60);
    }

    private KafkaConnector quickConnector() {
        return new KafkaConnector(KafkaConnectorConfig.defaults(
                new ConnectorTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(3))));
    }

    private static Message message(URI destination, byte[] payload) {
        return Message.builder(new MessageId("g-" + UUID.randomUUID(), "b1"), destination).payload(payload).build();
    }

    /** Reads the topic from the start of every partition until {@code atLeast} records or the bound. */
    private Map<Integer, List<ConsumerRecord<byte[], byte[]>>> readAll(String topic, int atLeast) {
        return broker.readAll(topic, atLeast, READ_WITHIN);
    }

    private static TestStream.Received received(ConsumerRecord<byte[], byte[]> r) {
        return new TestStream.Received(header(r, "Pactum-Gid"), header(r, "Pactum-Branch-Id"),
                new String(r.key(), StandardCharsets.UTF_8), new String(r.value(), StandardCharsets.UTF_8));
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
