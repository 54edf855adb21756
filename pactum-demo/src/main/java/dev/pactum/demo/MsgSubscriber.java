package dev.pactum.demo;

import java.net.URI;

/**
 * A service's subscription to its messages on a broker ({@code --subscribe}): every message is handed to
 * {@link MsgService#consume} and acknowledged only when that answers DONE (effect and follow-up committed), so
 * delivery is at least once and the inbox absorbs every redelivery. A RETRY is redelivered after a short pause.
 */
interface MsgSubscriber extends AutoCloseable {
    @Override
    void close();

    /** Subscribes by the URI's scheme: {@code amqp}, {@code kafka} or {@code nats}. */
    static MsgSubscriber start(URI subscription, MsgService service) throws Exception {
        return switch (subscription.getScheme()) {
            case "amqp" -> RabbitTransport.subscribe(subscription, service);
            case "kafka" -> KafkaTransport.subscribe(subscription, service);
            case "nats" -> NatsTransport.subscribe(subscription, service);
            default -> throw new IllegalArgumentException("cannot subscribe to " + subscription);
        };
    }
}
