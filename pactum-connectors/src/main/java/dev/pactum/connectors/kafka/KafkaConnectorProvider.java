package dev.pactum.connectors.kafka;

import dev.pactum.connectors.Connector;
import dev.pactum.connectors.ConnectorProvider;
import dev.pactum.connectors.ConnectorSettings;

import java.util.Set;

/** Installs {@link KafkaConnector} for {@code kafka}; passes properties {@code kafka.producer.*} to the producer. */
public final class KafkaConnectorProvider implements ConnectorProvider {
    @Override
    public Set<String> schemes() {
        return Set.of("kafka");
    }

    @Override
    public Connector create(ConnectorSettings settings) {
        return new KafkaConnector(KafkaConnectorConfig.from(settings));
    }
}
