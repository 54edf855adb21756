package dev.pactum.connectors;

import java.util.Set;

/**
 * Makes a {@link Connector}; found by {@link java.util.ServiceLoader} when listed in
 * {@code META-INF/services/dev.pactum.connectors.ConnectorProvider}. Needs a public no-argument constructor.
 */
public interface ConnectorProvider {
    /** The schemes the connector will serve, lower case; must equal its {@link Connector#schemes()}. */
    Set<String> schemes();

    /**
     * A new connector configured from {@code settings}.
     *
     * @throws IllegalArgumentException when a setting it reads is malformed, naming it
     */
    Connector create(ConnectorSettings settings);
}
