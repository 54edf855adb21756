package dev.pactum.connectors.amqp;

import dev.pactum.connectors.Connector;
import dev.pactum.connectors.ConnectorProvider;
import dev.pactum.connectors.ConnectorSettings;

import java.util.Set;

/**
 * Installs {@link RabbitConnector} for {@code amqp}; reads {@value RabbitConnectorConfig#USERNAME},
 * {@value RabbitConnectorConfig#PASSWORD} and {@value RabbitConnectorConfig#IDLE_CHANNELS}.
 */
public final class RabbitConnectorProvider implements ConnectorProvider {
    @Override
    public Set<String> schemes() {
        return Set.of("amqp");
    }

    @Override
    public Connector create(ConnectorSettings settings) {
        return new RabbitConnector(RabbitConnectorConfig.from(settings));
    }
}
