package dev.pactum.demo;

import dev.pactum.api.MessageId;
import dev.pactum.brokers.KafkaBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The message demo on Kafka: a single-node KRaft broker the demo starts itself ({@link KafkaBroker}), or the one
 * given by {@code --kafka-bootstrap}; one topic per service and run. Each service reads its topic's partition by
 * assignment (no group membership, so a service killed with kill -9 and started again reads on at once, with no
 * rebalance to wait for) and commits its offset only past records it consumed: a record whose consumption failed
 * is read again from there, and the records after it, already consumed, again too (the inbox skips them).
 */
final class KafkaTransport implements MsgTransport {
    private static final Logger log = LoggerFactory.getLogger(KafkaTransport.class);
    private static final List<String> ROLES = List.of("order", "payment", "warehouse");

    private final String prefix;
    private final String bootstrap;
    private final KafkaBroker own;

    private KafkaTransport(String prefix, String bootstrap, KafkaBroker own) {
        this.prefix = prefix;
        this.bootstrap = bootstrap;
        this.own = own;
    }

    static KafkaTransport open(String run, String bootstrap, Path work) throws Exception {
        KafkaBroker own = null;
        if (bootstrap == null) {
            Path dir = work.resolve("kafka");
            Files.createDirectories(dir);
            own = new KafkaBroker(dir);
            own.start();
            bootstrap = own.bootstrap();
        }
        String prefix = "pactum-demo-" + run;
        try (Admin admin = admin(bootstrap)) {
            List<NewTopic> topics = ROLES.stream().map(r -> new NewTopic(prefix + "-" + r, 1, (short) 1)).toList();
            admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (own != null) {
                own.close();
            }
            throw MsgTransport.unreachable("kafka", e);
        }
        return new KafkaTransport(prefix, bootstrap, own);
    }

    private static Admin admin(String bootstrap) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000));
    }

    @Override
    public String name() {
        return "kafka";
    }

    @Override
    public URI destination(String role, String serviceUrl) {
        return URI.create("kafka://" + bootstrap + "/" + prefix + "-" + role);
    }

    @Override
    public URI subscription(String role) {
        return URI.create("kafka://" + bootstrap + "/" + prefix + "-" + role);
    }

    @Override
    public String describe() {
        return "Kafka " + bootstrap + (own != null ? " (a single-node KRaft broker started by the demo)" : "")
                + ", topics " + prefix + "-{order,payment,warehouse}";
    }

    @Override
    public void close() {
        if (own != null) {
            try {
                own.close(); // its log directory goes with the demo's work directory
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        try (Admin admin = admin(bootstrap)) {
            admin.deleteTopics(ROLES.stream().map(r -> prefix + "-" + r).toList()).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("could not delete the topics {}-*: {}", prefix, e.toString());
        }
    }

    /** The service side: reads {@code kafka://bootstrap/topic}, partition 0, consuming each poll's records in parallel. */
    static MsgSubscriber subscribe(URI subscription, MsgService service) {
        String topic = subscription.getPath().substring(1);
        String bootstrap = subscription.getAuthority();
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, topic, // only where the offset is kept: no membership with assign()
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 64,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class));
        TopicPartition tp = new TopicPartition(topic, 0);
        consumer.assign(List.of(tp));
        ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
        Thread poller = new Thread(() -> poll(consumer, tp, workers, service), "kafka-" + topic);
        poller.start();
        log.info("reading Kafka topic {} on {}", topic, bootstrap);
        return () -> {
            consumer.wakeup();
            try {
                poller.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            workers.shutdownNow();
        };
    }

    private static void poll(KafkaConsumer<byte[], byte[]> consumer, TopicPartition tp, ExecutorService workers,
                             MsgService service) {
        try (consumer) {
            while (!Thread.currentThread().isInterrupted()) {
                List<ConsumerRecord<byte[], byte[]>> records = consumer.poll(Duration.ofMillis(500)).records(tp);
                if (records.isEmpty()) {
                    continue;
                }
                List<Future<MsgService.Consumed>> results = new ArrayList<>();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    results.add(workers.submit(() -> consume(r, service)));
                }
                long next = records.get(records.size() - 1).offset() + 1;
                for (int i = 0; i < records.size(); i++) {
                    if (waitFor(results.get(i)) == MsgService.Consumed.RETRY) {
                        next = records.get(i).offset(); // read again from the first one not consumed
                        break;
                    }
                }
                consumer.commitSync(Map.of(tp, new OffsetAndMetadata(next)));
                if (next <= records.get(records.size() - 1).offset()) {
                    consumer.seek(tp, next);
                    Thread.sleep(200);
                }
            }
        } catch (WakeupException | InterruptedException stop) {
            // closing
        } catch (RuntimeException e) {
            log.error("Kafka reader of {} stopped: {}", tp, e.toString(), e);
        }
    }

    private static MsgService.Consumed waitFor(Future<MsgService.Consumed> f) throws InterruptedException {
        try {
            return f.get();
        } catch (java.util.concurrent.ExecutionException e) {
            return MsgService.Consumed.RETRY;
        }
    }

    private static MsgService.Consumed consume(ConsumerRecord<byte[], byte[]> r, MsgService service) {
        MessageId id;
        try {
            id = MessageId.fromHeaders(n -> {
                Header h = r.headers().lastHeader(n);
                return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
            });
        } catch (RuntimeException e) {
            log.warn("Kafka record {} without a valid message id, skipped: {}", r.offset(), e.toString());
            return MsgService.Consumed.REFUSED;
        }
        return service.consume(id, r.value());
    }
}
