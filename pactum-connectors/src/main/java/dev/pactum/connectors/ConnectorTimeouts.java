package dev.pactum.connectors;

import java.time.Duration;
import java.util.Objects;

/**
 * The two bounds every connector keeps: how long to wait for a connection to a broker, and how long for the
 * broker to confirm one message once connected. Immutable, validated when made.
 *
 * @param connect  establishing a connection (TCP and the protocol's handshake); also Kafka's metadata wait
 * @param delivery one message: the publish and its confirmation (HTTP response, publisher confirm, Kafka ack,
 *                 JetStream ack)
 */
public record ConnectorTimeouts(Duration connect, Duration delivery) {
    /** Longest bound accepted: a delivery worker holding a message for longer is stuck, not patient. */
    public static final Duration MAX = Duration.ofMinutes(5);
    /** Defaults: 5 s to connect, 10 s for a confirmation. */
    public static final ConnectorTimeouts DEFAULTS = new ConnectorTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(10));

    /** @throws IllegalArgumentException naming the bound that is missing, not positive, or above {@link #MAX} */
    public ConnectorTimeouts {
        check("connect", connect);
        check("delivery", delivery);
    }

    private static void check(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero() || d.compareTo(MAX) > 0 || d.toMillis() == 0) {
            throw new IllegalArgumentException(name + " timeout must be between 1 ms and " + MAX + ", was " + d);
        }
    }

    /** {@link #connect()} in milliseconds, at most {@link Integer#MAX_VALUE} (it is at most 5 minutes). */
    public int connectMillis() {
        return (int) connect.toMillis();
    }

    /** {@link #delivery()} in milliseconds. */
    public int deliveryMillis() {
        return (int) delivery.toMillis();
    }

    @Override
    public String toString() {
        return "connect " + connect.toMillis() + " ms, delivery " + delivery.toMillis() + " ms";
    }
}
