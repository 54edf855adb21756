package dev.pactum.connectors.kafka;

import dev.pactum.connectors.ConnectorSettings;
import dev.pactum.connectors.ConnectorTimeouts;
import org.apache.kafka.clients.producer.ProducerConfig;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Settings of a {@link KafkaConnector}. Immutable, validated when made.
 *
 * @param timeouts connect (the producer's {@code max.block.ms}: metadata and buffer space) and delivery
 *                 ({@code delivery.timeout.ms}: the write acknowledged by all in-sync replicas)
 * @param producer further producer properties (for example {@code security.protocol}, {@code compression.type});
 *                 never those that the connector's guarantees rest on ({@link #FIXED})
 */
public record KafkaConnectorConfig(ConnectorTimeouts timeouts, Map<String, String> producer) {
    /** Prefix of the properties {@link KafkaConnectorProvider} passes on to the producer. */
    public static final String PRODUCER_PREFIX = "kafka.producer.";

    /**
     * Set by the connector, not by configuration: idempotence with {@code acks=all} is what makes a retry inside
     * the producer neither duplicate nor reorder a partition's records; the serializers and timeouts are its own.
     */
    public static final Set<String> FIXED = Set.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, ProducerConfig.ACKS_CONFIG,
            ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, ProducerConfig.RETRIES_CONFIG,
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
            ProducerConfig.MAX_BLOCK_MS_CONFIG, ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
            ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, ProducerConfig.LINGER_MS_CONFIG,
            ProducerConfig.TRANSACTIONAL_ID_CONFIG, ProducerConfig.PARTITIONER_CLASS_CONFIG);

    public KafkaConnectorConfig {
        Objects.requireNonNull(timeouts, "timeouts");
        producer = Map.copyOf(Objects.requireNonNull(producer, "producer"));
        for (String k : producer.keySet()) {
            if (FIXED.contains(k)) {
                throw new IllegalArgumentException("kafka producer property " + k + " is set by the connector"
                        + " (its guarantees rest on it) and cannot be configured");
            }
            if (!ProducerConfig.configNames().contains(k)) {
                throw new IllegalArgumentException("unknown kafka producer property " + k);
            }
        }
    }

    public static KafkaConnectorConfig defaults(ConnectorTimeouts timeouts) {
        return new KafkaConnectorConfig(timeouts, Map.of());
    }

    /** From the settings' properties prefixed {@value #PRODUCER_PREFIX}. */
    public static KafkaConnectorConfig from(ConnectorSettings s) {
        return new KafkaConnectorConfig(s.timeouts(), s.withPrefix(PRODUCER_PREFIX));
    }

    @Override
    public String toString() {
        // Values may be secrets (sasl.jaas.config): keys only.
        return "kafka producer properties " + new TreeMap<>(producer).keySet() + ", " + timeouts;
    }
}
