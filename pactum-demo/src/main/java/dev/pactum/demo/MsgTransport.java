package dev.pactum.demo;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * How the message demo's messages travel ({@code --broker}): where the coordinator delivers a message for a
 * service, and how that service receives it. {@code http}: the coordinator calls the service's
 * {@code POST /msg/inbox}; {@code rabbitmq}, {@code kafka}, {@code nats}: the coordinator publishes to the broker
 * and the service subscribes ({@link MsgSubscriber}). The demo side creates what the run needs on the broker
 * (names unique per run) and deletes it at {@link #close}.
 */
interface MsgTransport extends AutoCloseable {
    List<String> NAMES = List.of("http", "rabbitmq", "kafka", "nats");

    String name();

    /** Where the coordinator delivers the messages for {@code role}, whose HTTP base URL is {@code serviceUrl}. */
    URI destination(String role, String serviceUrl);

    /** What {@code role}'s process subscribes to ({@code --subscribe}), or null when messages come over HTTP. */
    URI subscription(String role);

    /** One line for the summary: the broker and the names of this run. */
    String describe();

    /** Deletes what this run created on the broker (and stops a broker the demo started). */
    @Override
    void close();

    /**
     * @param kafkaBootstrap an existing Kafka to use, or null to start one under {@code work}
     * @throws IllegalArgumentException for a name not in {@link #NAMES}
     */
    static MsgTransport open(String broker, String kafkaBootstrap, Path work) throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        return switch (broker.toLowerCase(Locale.ROOT)) {
            case "http" -> new Http();
            case "rabbitmq" -> RabbitTransport.open(run);
            case "kafka" -> KafkaTransport.open(run, kafkaBootstrap, work);
            case "nats" -> NatsTransport.open(run);
            default -> throw new IllegalArgumentException("unknown broker '" + broker + "'; use one of " + NAMES);
        };
    }

    /** The coordinator calls each service's own inbox endpoint; nothing to create. */
    final class Http implements MsgTransport {
        @Override
        public String name() {
            return "http";
        }

        @Override
        public URI destination(String role, String serviceUrl) {
            return URI.create(serviceUrl + "/msg/inbox");
        }

        @Override
        public URI subscription(String role) {
            return null;
        }

        @Override
        public String describe() {
            return "HTTP: the coordinator POSTs each message to the service's /msg/inbox";
        }

        @Override
        public void close() {
        }
    }

    /** A broker host as the services reach it (loopback: the machine's brokers). */
    static String host() {
        return "127.0.0.1";
    }

    static IOException unreachable(String broker, Exception e) {
        return new IOException(broker + " is not reachable on " + host() + " (" + e.getMessage() + "); the demo with"
                + " --broker " + broker + " needs it running", e);
    }
}
