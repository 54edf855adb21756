package dev.pactum.connectors;

import java.net.URI;
import java.util.Set;

/**
 * Delivers committed messages to one kind of destination (a broker, or HTTP endpoints). The extension point for
 * adding a broker: implement this and a {@link ConnectorProvider}, list the provider in
 * {@code META-INF/services/dev.pactum.connectors.ConnectorProvider}, and {@link Connectors} picks it by scheme.
 * {@link DestinationConnector} writes the shared part (URI checks, refusing a bad destination, closing) once.
 *
 * <p>Contract, for every implementation:
 * <ul>
 *   <li>{@link #deliver} returns {@link Delivery.Status#DELIVERED} only once the destination has confirmed the
 *       message (an HTTP 2xx, a publisher confirm, an acknowledged Kafka write, a JetStream ack);</li>
 *   <li>it never throws for what a broker or the network does: that is {@link Delivery.Status#TRY_LATER} or
 *       {@link Delivery.Status#REFUSED}, with the detail;</li>
 *   <li>every wait in it is bounded by its configuration ({@link ConnectorTimeouts}), the connect included;</li>
 *   <li>it is thread-safe: delivery workers call it concurrently;</li>
 *   <li>a message may be delivered more than once (a lost confirm is a retry): the consumer's inbox dedupes by
 *       {@link Message#id()}, which every delivery carries.</li>
 * </ul>
 */
public interface Connector extends AutoCloseable {
    /** A short name for logs and errors, such as {@code kafka}. */
    String name();

    /** The URI schemes this connector serves, lower case. */
    Set<String> schemes();

    /**
     * Whether this connector can deliver to {@code destination}: its scheme is one of {@link #schemes()} and the
     * rest of the URI is well formed for it (a topic, an exchange, a subject). Connects to nothing.
     */
    boolean supports(URI destination);

    /**
     * Why {@code destination} is not {@link #supports supported}, in a sentence, or null when it is.
     * The default says only that; connectors override it to name what is wrong.
     */
    default String whyUnsupported(URI destination) {
        return supports(destination) ? null : name() + " cannot deliver to " + destination;
    }

    /**
     * Delivers one message, waiting at most the configured bounds for the connection and the broker's
     * confirmation.
     *
     * @param message a message whose destination this connector {@link #supports}
     * @return how it ended; never null
     */
    Delivery deliver(Message message);

    /** Releases connections and threads. Deliveries after close return {@link Delivery.Status#TRY_LATER}. */
    @Override
    void close();
}
