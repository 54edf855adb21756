package dev.pactum.bench;

import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Where the message benchmark's messages go, and the consumer there that reports each receipt by message id (the
 * {@code Pactum-Gid} every connector sets: an HTTP header, an AMQP, Kafka or NATS header). Both the coordinator and
 * the raw publisher send to {@link #uri()}, so both are read by the same consumer. Closing deletes what the run
 * created (queue, exchange, topic, stream) and stops the consumer.
 */
interface MsgDestination extends AutoCloseable {
    /** The brokers {@code --broker} accepts. */
    enum Kind { HTTP, RABBITMQ, KAFKA, NATS }

    /** The header all connectors set to the message's gid: the id the consumer reports. */
    String ID_HEADER = dev.pactum.api.Headers.GID;

    URI uri();

    /** What the raw publish is on this destination, for the printout. */
    String rawPublishIs();

    /**
     * Creates the destination and starts its consumer.
     *
     * @param kafkaBootstrap a Kafka to use instead of starting one ({@code --kafka-bootstrap}), or null
     * @param dir            a scratch directory (the Kafka broker's log directory)
     */
    static MsgDestination open(Kind kind, Path dir, String kafkaBootstrap, Consumer<String> onReceipt) throws Exception {
        return switch (kind) {
            case HTTP -> new HttpSinkDestination(onReceipt);
            case RABBITMQ -> new RabbitBenchDestination(onReceipt);
            case KAFKA -> new KafkaBenchDestination(dir, kafkaBootstrap, onReceipt);
            case NATS -> new NatsBenchDestination(onReceipt);
        };
    }

    static Kind kind(String broker) {
        try {
            return Kind.valueOf(broker.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--broker must be http, rabbitmq, kafka or nats, was " + broker);
        }
    }

    /** A name unique to this run, for the queue, exchange, topic or stream it creates (parallel runs never meet). */
    static String runName(String prefix) {
        return prefix + java.util.UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }
}
