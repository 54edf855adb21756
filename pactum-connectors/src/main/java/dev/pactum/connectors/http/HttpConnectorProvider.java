package dev.pactum.connectors.http;

import dev.pactum.connectors.Connector;
import dev.pactum.connectors.ConnectorProvider;
import dev.pactum.connectors.ConnectorSettings;

import java.util.Set;

/** Installs {@link HttpConnector} for {@code http} and {@code https}; reads only the common timeouts. */
public final class HttpConnectorProvider implements ConnectorProvider {
    @Override
    public Set<String> schemes() {
        return Set.of("http", "https");
    }

    @Override
    public Connector create(ConnectorSettings settings) {
        return new HttpConnector(settings.timeouts());
    }
}
