package dev.pactum.connectors;

import dev.pactum.api.Headers;
import dev.pactum.api.InvalidInputException;
import dev.pactum.api.MessageId;
import dev.pactum.api.MessageRules;

import java.net.URI;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One committed message to deliver: where to ({@link #destination()}, whose scheme picks the {@link Connector}),
 * its identity ({@link #id()}, carried by every delivery so the consumer's inbox applies it once), an optional
 * key (per-key order, Kafka's record key), headers and the payload bytes.
 *
 * <p>Immutable and validated when built: bad input is an {@link InvalidInputException} naming the field, so the
 * message pattern can refuse it at prepare time instead of finding out at delivery.
 */
public final class Message {
    /** Longest key accepted: keys are routing information, not payload ({@link MessageRules}). */
    public static final int MAX_KEY_LENGTH = MessageRules.MAX_KEY_LENGTH;
    /** Header carrying the message key where the broker has no key of its own (HTTP, AMQP headers, NATS). */
    public static final String KEY_HEADER = MessageRules.KEY_HEADER;
    /** W3C Trace Context, version 00 layout (other versions have the same prefix). */
    private static final Pattern TRACEPARENT = Pattern.compile("[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");

    private final MessageId id;
    private final URI destination;
    private final String key;
    private final Map<String, String> headers;
    private final byte[] payload;
    private final String traceparent;

    private Message(Builder b) {
        this.id = Objects.requireNonNull(b.id, "id");
        this.destination = checkDestination(b.destination);
        this.key = MessageRules.checkKey("key", b.key);
        this.headers = Collections.unmodifiableMap(new LinkedHashMap<>(b.headers));
        if (b.payload == null) {
            throw new InvalidInputException("payload", "payload is required (it may be empty)");
        }
        this.payload = b.payload.clone();
        if (b.traceparent != null && !TRACEPARENT.matcher(b.traceparent).matches()) {
            throw new InvalidInputException("traceparent", "traceparent must be a W3C trace context like"
                    + " 00-<32 hex>-<16 hex>-<2 hex>, was '" + abbreviate(b.traceparent) + "'");
        }
        this.traceparent = b.traceparent;
    }

    public static Builder builder(MessageId id, URI destination) {
        return new Builder(id, destination);
    }

    private static URI checkDestination(URI destination) {
        if (destination == null) {
            throw new InvalidInputException("destination", "destination is required");
        }
        if (!destination.isAbsolute() || destination.isOpaque() || destination.getHost() == null) {
            throw new InvalidInputException("destination", "destination must be an absolute URI with a host, like"
                    + " kafka://host:9092/topic, was '" + abbreviate(destination.toString()) + "'");
        }
        return destination;
    }

    public MessageId id() {
        return id;
    }

    public URI destination() {
        return destination;
    }

    /** The scheme of {@link #destination()}, lower case: what picks the connector. */
    public String scheme() {
        return destination.getScheme().toLowerCase(Locale.ROOT);
    }

    /** The key, or null when the message has none (no per-key order then). */
    public String key() {
        return key;
    }

    /** The caller's headers, in the order they were added; never the reserved ones. */
    public Map<String, String> headers() {
        return headers;
    }

    /** A copy of the payload. */
    public byte[] payload() {
        return payload.clone();
    }

    /** Size of the payload in bytes, without copying it. */
    public int payloadSize() {
        return payload.length;
    }

    /** W3C traceparent of the producing transaction, or null. */
    public String traceparent() {
        return traceparent;
    }

    /**
     * The headers every transport sends: the message id as {@link Headers#GID} and {@link Headers#BRANCH_ID}, the
     * key as {@link #KEY_HEADER}, {@link Headers#TRACEPARENT} if given, then the caller's headers.
     */
    public Map<String, String> transportHeaders() {
        Map<String, String> all = new LinkedHashMap<>();
        all.put(Headers.GID, id.gid());
        all.put(Headers.BRANCH_ID, id.branchId());
        if (key != null) {
            all.put(KEY_HEADER, key);
        }
        if (traceparent != null) {
            all.put(Headers.TRACEPARENT, traceparent);
        }
        all.putAll(headers);
        return all;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Message m && id.equals(m.id) && destination.equals(m.destination)
                && Objects.equals(key, m.key) && headers.equals(m.headers) && Arrays.equals(payload, m.payload)
                && Objects.equals(traceparent, m.traceparent);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, destination, key, headers, Arrays.hashCode(payload), traceparent);
    }

    @Override
    public String toString() {
        return "message " + id + " to " + destination + (key == null ? "" : " key " + key) + " (" + payload.length
                + " bytes)";
    }

    static String abbreviate(String s) {
        return MessageRules.abbreviate(s);
    }

    /** Builds a {@link Message}; {@link #build()} validates. */
    public static final class Builder {
        private final MessageId id;
        private final URI destination;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private final Set<String> seen = new HashSet<>();
        private String key;
        private byte[] payload = new byte[0];
        private String traceparent;

        private Builder(MessageId id, URI destination) {
            this.id = id;
            this.destination = destination;
        }

        public Builder key(String key) {
            this.key = key;
            return this;
        }

        /**
         * Adds a header. Names are RFC 9110 tokens, values printable text without line breaks.
         *
         * @throws InvalidInputException for a malformed, reserved or repeated name, or a value with control characters
         */
        public Builder header(String name, String value) {
            if (headers.size() >= MessageRules.MAX_HEADERS) {
                throw new InvalidInputException("headers", "a message has at most " + MessageRules.MAX_HEADERS
                        + " headers");
            }
            MessageRules.checkHeader("headers", name, value, seen);
            headers.put(name, value);
            return this;
        }

        public Builder payload(byte[] payload) {
            this.payload = payload;
            return this;
        }

        public Builder traceparent(String traceparent) {
            this.traceparent = traceparent;
            return this;
        }

        /** @throws InvalidInputException naming the field that is wrong */
        public Message build() {
            return new Message(this);
        }
    }
}
