package dev.pactum.bench;

import dev.pactum.brokers.KafkaBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The Kafka destination: a broker of its own ({@link KafkaBroker}, a single KRaft node in a child JVM) unless
 * {@code --kafka-bootstrap} names one, and a one-partition topic named for this run, deleted after. The consumer
 * is a plain {@link KafkaConsumer} assigned the partition from its start (no group, nothing committed), polling on
 * a thread of its own.
 */
final class KafkaBenchDestination implements MsgDestination {
    private final String topic = MsgDestination.runName("pactum-bench-");
    private final KafkaBroker broker;
    private final String bootstrap;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread poller;
    private volatile boolean closing;

    KafkaBenchDestination(Path dir, String externalBootstrap, Consumer<String> onReceipt) throws Exception {
        if (externalBootstrap == null) {
            Path brokerDir = Files.createDirectories(dir.resolve("kafka"));
            broker = new KafkaBroker(brokerDir);
            broker.start();
            bootstrap = broker.bootstrap();
        } else {
            broker = null;
            bootstrap = externalBootstrap;
        }
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (broker != null) {
                broker.close(); // a child JVM would outlive this one
            }
            throw e;
        }
        consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        TopicPartition p = new TopicPartition(topic, 0);
        consumer.assign(List.of(p));
        consumer.seekToBeginning(List.of(p));
        poller = Thread.ofPlatform().name("bench-kafka-consumer").daemon().start(() -> poll(onReceipt));
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000));
    }

    private void poll(Consumer<String> onReceipt) {
        try {
            while (!closing) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    Header id = r.headers().lastHeader(ID_HEADER);
                    if (id != null) {
                        onReceipt.accept(new String(id.value(), StandardCharsets.UTF_8));
                    }
                }
            }
        } catch (WakeupException closed) {
            // close() woke the poll up
        } finally {
            consumer.close(); // no group, no offsets to commit: nothing for its 30 s default bound to wait on
        }
    }

    @Override
    public URI uri() {
        return URI.create("kafka://" + bootstrap + "/" + topic);
    }

    @Override
    public String rawPublishIs() {
        return "idempotent producer, acks=all, kafka-clients (the Kafka connector), on "
                + (broker != null ? "a KRaft broker of its own" : bootstrap);
    }

    @Override
    public void close() throws Exception {
        closing = true;
        consumer.wakeup();
        poller.join(10_000);
        try {
            if (broker == null) {
                try (Admin admin = admin()) {
                    admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
                }
            }
        } finally {
            if (broker != null) {
                broker.close();
            }
        }
    }
}
