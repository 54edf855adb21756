package dev.pactum.connectors.amqp;

import dev.pactum.connectors.ConnectorSettings;
import dev.pactum.connectors.ConnectorTimeouts;

import java.util.Objects;

/**
 * Settings of a {@link RabbitConnector}. Immutable; the builder validates.
 *
 * @param timeouts      connect (TCP, AMQP handshake) and delivery (publish until its confirm) bounds
 * @param username      AMQP user
 * @param password      AMQP password; never printed
 * @param idleChannels  confirm channels kept open per broker for reuse (concurrent deliveries beyond it open
 *                      channels of their own and close them after)
 */
public record RabbitConnectorConfig(ConnectorTimeouts timeouts, String username, String password, int idleChannels) {
    /** Property names read by {@link RabbitConnectorProvider}. */
    public static final String USERNAME = "amqp.username";
    public static final String PASSWORD = "amqp.password";
    public static final String IDLE_CHANNELS = "amqp.idleChannels";

    public RabbitConnectorConfig {
        Objects.requireNonNull(timeouts, "timeouts");
        if (username == null || username.isEmpty()) {
            throw new IllegalArgumentException("amqp username is required");
        }
        Objects.requireNonNull(password, "password");
        if (idleChannels < 0 || idleChannels > 1024) {
            throw new IllegalArgumentException("amqp idleChannels must be 0 to 1024, was " + idleChannels);
        }
    }

    /** RabbitMQ's own defaults ({@code guest}/{@code guest}, which RabbitMQ accepts from localhost only), 16 idle channels. */
    public static RabbitConnectorConfig defaults(ConnectorTimeouts timeouts) {
        return new RabbitConnectorConfig(timeouts, "guest", "guest", 16);
    }

    /** From {@value #USERNAME}, {@value #PASSWORD}, {@value #IDLE_CHANNELS}, falling back to {@link #defaults}. */
    public static RabbitConnectorConfig from(ConnectorSettings s) {
        RabbitConnectorConfig d = defaults(s.timeouts());
        String idle = s.property(IDLE_CHANNELS, Integer.toString(d.idleChannels()));
        int idleChannels;
        try {
            idleChannels = Integer.parseInt(idle.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(IDLE_CHANNELS + " must be a number, was '" + idle + "'");
        }
        return new RabbitConnectorConfig(s.timeouts(), s.property(USERNAME, d.username()),
                s.property(PASSWORD, d.password()), idleChannels);
    }

    @Override
    public String toString() {
        return "amqp user " + username + ", " + idleChannels + " idle channels, " + timeouts;
    }
}
