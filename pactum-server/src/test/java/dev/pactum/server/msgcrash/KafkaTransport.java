package dev.pactum.server.msgcrash;

import dev.pactum.api.MessageId;
import dev.pactum.brokers.KafkaBroker;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A Kafka broker of the test's own ({@link KafkaBroker}, a child JVM), a topic with two partitions and a consumer
 * that commits a record's offset only after the inbox committed. A record it must not acknowledge (a failed
 * application, or a duplicate on purpose after its commit) makes it seek its partition back to that record, so it
 * is read again. The outage is a real one: {@link KafkaBroker#kill()} (kill -9) and {@link KafkaBroker#start()} on
 * the same ports and log directory.
 */
final class KafkaTransport implements Transport {
    private final String topic = "msgcrash-" + Long.toHexString(System.nanoTime());
    private final KafkaBroker broker;
    private final ConsumerLedger ledger;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final KafkaConsumer<String, String> consumer;
    private final Thread poller;

    KafkaTransport(Path dir, ConsumerLedger ledger) throws Exception {
        this.ledger = ledger;
        broker = new KafkaBroker(dir);
        broker.start();
        broker.createTopic(topic, 2);
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap(),
                ConsumerConfig.GROUP_ID_CONFIG, topic,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000,
                ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName()));
        consumer.subscribe(List.of(topic));
        poller = Thread.ofPlatform().name("kafka-crash-consumer").start(this::poll);
    }

    private void poll() {
        while (running.get()) {
            try {
                ConsumerRecords<String, String> batch = consumer.poll(Duration.ofMillis(200));
                Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
                for (TopicPartition tp : batch.partitions()) {
                    for (ConsumerRecord<String, String> r : batch.records(tp)) {
                        Header h = r.headers().lastHeader("Pactum-Gid");
                        Header b = r.headers().lastHeader("Pactum-Branch-Id");
                        boolean ack;
                        try {
                            ack = ledger.receive(new MessageId(new String(h.value(), StandardCharsets.UTF_8),
                                    new String(b.value(), StandardCharsets.UTF_8)), r.value());
                        } catch (RuntimeException e) {
                            ack = false;
                        }
                        if (!ack) {
                            consumer.seek(tp, r.offset()); // read it again; the rest of the partition after it
                            break;
                        }
                        done.put(tp, new OffsetAndMetadata(r.offset() + 1));
                    }
                }
                if (!done.isEmpty()) {
                    try {
                        consumer.commitSync(done);
                    } catch (RuntimeException e) {
                        // broker away: the records are read again from the last committed offset and absorbed
                    }
                }
            } catch (WakeupException e) {
                return;
            } catch (RuntimeException e) {
                // the broker is being restarted: poll again
            }
        }
    }

    @Override
    public String destination() {
        return "kafka://" + broker.bootstrap() + "/" + topic;
    }

    @Override
    public void breakBroker() throws InterruptedException {
        broker.kill();
    }

    @Override
    public void repairBroker() throws Exception {
        broker.start();
    }

    @Override
    public String outage() {
        return "the Kafka broker killed (kill -9) and restarted on the same ports and log directory";
    }

    @Override
    public void close() throws Exception {
        running.set(false);
        consumer.wakeup();
        poller.join(Duration.ofSeconds(10));
        consumer.close(Duration.ofSeconds(2));
        broker.close();
    }
}
