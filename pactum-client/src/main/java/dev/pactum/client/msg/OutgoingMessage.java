package dev.pactum.client.msg;

import dev.pactum.api.InvalidInputException;
import dev.pactum.api.MessageRules;
import dev.pactum.api.Operation;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link MessageProducer#send(OutgoingMessage, dev.pactum.client.barrier.BranchWork)} sends: the destination, the
 * body, and optionally a key (messages of one destination and key are delivered in the order their commits were
 * decided: docs/messages.md, "Order per key") and headers (sent as the transport's own: Kafka record headers, AMQP
 * and NATS headers, HTTP headers). Immutable; checked when made, by the coordinator's own rules
 * ({@link MessageRules}), so a bad key or header fails before anything is begun.
 *
 * <pre>{@code
 * OutgoingMessage.to("kafka://broker:9092/payments", "{\"order\":1042}").key("order-1042").header("type", "paid")
 * }</pre>
 */
public record OutgoingMessage(String destination, String payload, String key, Map<String, String> headers) {
    public OutgoingMessage {
        if (destination == null || destination.isBlank()) {
            throw new InvalidInputException("destination", "destination is required");
        }
        Objects.requireNonNull(payload, "payload");
        if (payload.length() > Operation.MAX_PAYLOAD_CHARS) {
            throw new InvalidInputException("payload", "payload must be at most " + Operation.MAX_PAYLOAD_CHARS
                    + " characters, was " + payload.length());
        }
        MessageRules.checkKey("key", key);
        headers = headers == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        MessageRules.checkHeaders("headers", headers);
    }

    /** A message without key and headers. */
    public static OutgoingMessage to(String destination, String payload) {
        return new OutgoingMessage(destination, payload, null, null);
    }

    /** The same message with {@code key}. */
    public OutgoingMessage key(String key) {
        return new OutgoingMessage(destination, payload, key, headers);
    }

    /** The same message with one header more. */
    public OutgoingMessage header(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new OutgoingMessage(destination, payload, key, more);
    }

    /** The {@code deliver} operation of the message's branch. */
    Operation deliver() {
        return new Operation("deliver", destination, payload, key, headers);
    }
}
