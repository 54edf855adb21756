package dev.pactum.connectors.amqp;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A RabbitMQ destination, {@code amqp://host[:port]/exchange?routingKey=rk&vhost=v}.
 *
 * <ul>
 *   <li>the path is the exchange (one segment, percent-encoded if need be); an empty path ({@code amqp://host/})
 *       is the default exchange, which routes by queue name;</li>
 *   <li>{@code routingKey}: the routing key; absent, the message's key is used (so a topic or direct exchange
 *       routes by it), or the empty string for a message without key;</li>
 *   <li>{@code vhost}: the virtual host, {@code /} by default. Unlike RabbitMQ's own URI spec, the path is not the
 *       vhost: a destination names where a message goes, and that is an exchange.</li>
 * </ul>
 * Credentials are never in the URI (destinations are stored with every message): they are the connector's
 * configuration. Port 5672 by default; {@code amqps} is not served yet.
 *
 * @param host        broker host
 * @param port        broker port
 * @param vhost       virtual host
 * @param exchange    exchange name, empty for the default exchange
 * @param routingKey  fixed routing key, or null to use the message's key
 */
record AmqpDestination(String host, int port, String vhost, String exchange, String routingKey) {
    static final int DEFAULT_PORT = 5672;
    private static final Set<String> PARAMETERS = Set.of("routingKey", "vhost");

    /** The broker, as the connector keys its connections. */
    String broker() {
        return host + ":" + port + " vhost " + vhost;
    }

    /** The routing key for a message with {@code messageKey} (may be null). */
    String routingKeyFor(String messageKey) {
        if (routingKey != null) {
            return routingKey;
        }
        return messageKey == null ? "" : messageKey;
    }

    /**
     * @throws IllegalArgumentException saying what is wrong with the URI
     */
    static AmqpDestination parse(URI uri) {
        if (uri.getScheme() == null || !uri.getScheme().toLowerCase(Locale.ROOT).equals("amqp")) {
            throw new IllegalArgumentException("amqp connector serves amqp://, not " + uri);
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("AMQP destination needs a host, like amqp://host:5672/exchange, was " + uri);
        }
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("AMQP destination must not carry credentials (they are the connector's"
                    + " configuration): " + uri.getHost() + "...");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (path.startsWith("/")) {
            path = path.substring(1);
        }
        if (path.contains("/")) {
            throw new IllegalArgumentException("AMQP destination path is one exchange name (encode '/' as %2F), was "
                    + uri.getRawPath());
        }
        String exchange = decode(path);
        if (exchange.length() > 255) {
            throw new IllegalArgumentException("AMQP exchange name is at most 255 bytes: " + uri);
        }
        Map<String, String> query = query(uri);
        String vhost = query.getOrDefault("vhost", "/");
        String routingKey = query.get("routingKey");
        if (routingKey != null && routingKey.length() > 255) {
            throw new IllegalArgumentException("AMQP routing key is at most 255 bytes: " + uri);
        }
        int port = uri.getPort() == -1 ? DEFAULT_PORT : uri.getPort();
        return new AmqpDestination(uri.getHost(), port, vhost, exchange, routingKey);
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> out = new LinkedHashMap<>();
        String raw = uri.getRawQuery();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (!PARAMETERS.contains(name)) {
                throw new IllegalArgumentException("unknown AMQP destination parameter '" + name + "'; known: "
                        + PARAMETERS);
            }
            if (out.put(name, value) != null) {
                throw new IllegalArgumentException("AMQP destination parameter '" + name + "' given twice");
            }
        }
        return out;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
