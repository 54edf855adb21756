package dev.pactum.connectors;

import dev.pactum.connectors.amqp.RabbitConnectorConfig;
import dev.pactum.connectors.kafka.KafkaConnectorConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Configuration is validated when made and never prints a secret. */
class ConfigTest {
    @Test
    void timeoutsMustBePositiveAndBounded() {
        assertThatThrownBy(() -> new ConnectorTimeouts(Duration.ZERO, Duration.ofSeconds(1)))
                .hasMessageContaining("connect");
        assertThatThrownBy(() -> new ConnectorTimeouts(Duration.ofSeconds(1), Duration.ofHours(1)))
                .hasMessageContaining("delivery");
        assertThatThrownBy(() -> new ConnectorTimeouts(Duration.ofNanos(10), Duration.ofSeconds(1)))
                .hasMessageContaining("connect");
    }

    @Test
    void kafkaRefusesToLetConfigurationWeakenIdempotenceOrOrder() {
        for (String fixed : new String[] {"acks", "enable.idempotence", "max.in.flight.requests.per.connection",
                "bootstrap.servers"}) {
            assertThatThrownBy(() -> new KafkaConnectorConfig(ConnectorTimeouts.DEFAULTS, Map.of(fixed, "1")))
                    .as(fixed).hasMessageContaining(fixed);
        }
        assertThatThrownBy(() -> new KafkaConnectorConfig(ConnectorTimeouts.DEFAULTS, Map.of("no.such.thing", "1")))
                .hasMessageContaining("unknown");
        KafkaConnectorConfig ok = KafkaConnectorConfig.from(new ConnectorSettings(ConnectorTimeouts.DEFAULTS,
                Map.of("kafka.producer.compression.type", "lz4", "kafka.producer.sasl.jaas.config", "secret!")));
        assertThat(ok.producer()).containsEntry("compression.type", "lz4");
        assertThat(ok.toString()).doesNotContain("secret!");
    }

    @Test
    void rabbitReadsItsPropertiesAndNeverPrintsThePassword() {
        RabbitConnectorConfig c = RabbitConnectorConfig.from(new ConnectorSettings(ConnectorTimeouts.DEFAULTS,
                Map.of(RabbitConnectorConfig.USERNAME, "app", RabbitConnectorConfig.PASSWORD, "s3cret",
                        RabbitConnectorConfig.IDLE_CHANNELS, "4")));
        assertThat(c.username()).isEqualTo("app");
        assertThat(c.idleChannels()).isEqualTo(4);
        assertThat(c.toString()).doesNotContain("s3cret");
        assertThat(new ConnectorSettings(ConnectorTimeouts.DEFAULTS, Map.of(RabbitConnectorConfig.PASSWORD, "s3cret"))
                .toString()).doesNotContain("s3cret");
        assertThatThrownBy(() -> RabbitConnectorConfig.from(new ConnectorSettings(ConnectorTimeouts.DEFAULTS,
                Map.of(RabbitConnectorConfig.IDLE_CHANNELS, "many")))).hasMessageContaining(RabbitConnectorConfig.IDLE_CHANNELS);
        assertThatThrownBy(() -> new RabbitConnectorConfig(ConnectorTimeouts.DEFAULTS, "", "p", 1))
                .hasMessageContaining("username");
    }
}
