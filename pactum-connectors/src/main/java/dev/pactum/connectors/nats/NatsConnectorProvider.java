package dev.pactum.connectors.nats;

import dev.pactum.connectors.Connector;
import dev.pactum.connectors.ConnectorProvider;
import dev.pactum.connectors.ConnectorSettings;

import java.util.Set;

/** Installs {@link NatsConnector} for {@code nats}; reads only the common timeouts. */
public final class NatsConnectorProvider implements ConnectorProvider {
    @Override
    public Set<String> schemes() {
        return Set.of("nats");
    }

    @Override
    public Connector create(ConnectorSettings settings) {
        return new NatsConnector(settings.timeouts());
    }
}
