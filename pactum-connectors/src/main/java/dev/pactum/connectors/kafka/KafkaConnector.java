package dev.pactum.connectors.kafka;

import dev.pactum.connectors.DestinationConnector;
import dev.pactum.connectors.Delivery;
import dev.pactum.connectors.Message;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Delivers to Kafka ({@code kafka://host:port/topic}) with an idempotent producer ({@code enable.idempotence=true},
 * {@code acks=all}, at most 5 requests in flight): delivered means written to every in-sync replica, and the
 * producer's own retries neither duplicate nor reorder records of a partition. The message key is the record key,
 * so all messages of one key land in one partition, in the order they were delivered. The message id, key and
 * traceparent travel as record headers ({@code Pactum-Gid}, {@code Pactum-Branch-Id}, ...), with the message's
 * own headers.
 *
 * <p>One producer per bootstrap server, made on first use (making one does not connect). An unreachable broker
 * or a missing topic shows as the producer's metadata wait running out (connect timeout): try later.
 */
public final class KafkaConnector extends DestinationConnector<KafkaDestination> {
    private static final Logger log = LoggerFactory.getLogger(KafkaConnector.class);

    private final KafkaConnectorConfig config;
    private final Map<String, KafkaProducer<byte[], byte[]>> producers = new ConcurrentHashMap<>();

    public KafkaConnector(KafkaConnectorConfig config) {
        super("kafka", Set.of("kafka"), KafkaDestination::parse);
        this.config = Objects.requireNonNull(config, "config");
    }

    @Override
    protected Delivery deliverTo(KafkaDestination d, Message message) {
        KafkaProducer<byte[], byte[]> producer;
        try {
            producer = producers.computeIfAbsent(d.bootstrap(), this::newProducer);
        } catch (KafkaException e) {
            return Delivery.tryLater("cannot make a producer for " + d.bootstrap() + ": " + e.getMessage());
        }
        byte[] key = message.key() == null ? null : message.key().getBytes(StandardCharsets.UTF_8);
        List<org.apache.kafka.common.header.Header> headers = new ArrayList<>();
        message.transportHeaders().forEach((n, v) -> headers.add(new RecordHeader(n, v.getBytes(StandardCharsets.UTF_8))));
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(d.topic(), null, key, message.payload(), headers);
        String where = "topic " + d.topic() + " on " + d.bootstrap();
        try {
            Future<RecordMetadata> sent = producer.send(record);
            // The producer fails the future itself after max.block.ms (in send) plus delivery.timeout.ms; this
            // bound only guards against it not doing so.
            RecordMetadata md = sent.get(config.timeouts().connectMillis() + config.timeouts().deliveryMillis() + 1000L,
                    TimeUnit.MILLISECONDS);
            return Delivery.delivered("written to partition " + md.partition() + " offset " + md.offset() + " of "
                    + where);
        } catch (ExecutionException e) {
            return failed(d, producer, e.getCause() == null ? e : e.getCause(), where);
        } catch (KafkaException e) {
            return failed(d, producer, e, where);
        } catch (TimeoutException e) {
            return Delivery.tryLater("no acknowledgement within the bounds, " + where);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Delivery.tryLater("interrupted waiting for the acknowledgement, " + where);
        }
    }

    private Delivery failed(KafkaDestination d, KafkaProducer<byte[], byte[]> producer, Throwable cause, String where) {
        if (cause instanceof RecordTooLargeException || cause instanceof RecordBatchTooLargeException
                || cause instanceof InvalidTopicException || cause instanceof SerializationException) {
            return Delivery.refused(cause.getClass().getSimpleName() + ": " + cause.getMessage() + ", " + where);
        }
        if (cause instanceof ProducerFencedException || cause instanceof OutOfOrderSequenceException
                || cause instanceof AuthenticationException || cause instanceof AuthorizationException) {
            // The producer may be unusable from now on: the next delivery gets a new one.
            if (producers.remove(d.bootstrap(), producer)) {
                producer.close(Duration.ZERO);
            }
        }
        return Delivery.tryLater(cause.getClass().getSimpleName() + ": " + cause.getMessage() + ", " + where);
    }

    private KafkaProducer<byte[], byte[]> newProducer(String bootstrap) {
        Map<String, Object> p = new HashMap<>(config.producer());
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, config.producer().getOrDefault(ProducerConfig.CLIENT_ID_CONFIG,
                "pactum-connector-" + bootstrap));
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5); // the most idempotence keeps in order
        p.put(ProducerConfig.RETRIES_CONFIG, Integer.MAX_VALUE); // bounded by delivery.timeout.ms
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, config.timeouts().connectMillis());
        // delivery.timeout.ms must be at least linger.ms + request.timeout.ms.
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, config.timeouts().deliveryMillis());
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, config.timeouts().deliveryMillis());
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p);
        log.info("kafka connector made a producer for {}", bootstrap);
        return producer;
    }

    @Override
    protected void release() {
        producers.values().forEach(p -> p.close(config.timeouts().connect()));
        producers.clear();
    }

    @Override
    public String toString() {
        return "kafka connector (" + config + ")";
    }
}
