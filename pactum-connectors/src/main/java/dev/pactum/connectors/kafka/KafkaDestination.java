package dev.pactum.connectors.kafka;

import java.net.URI;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A Kafka destination, {@code kafka://host[:port]/topic}. The host and port are a bootstrap server: the producer
 * learns the rest of the cluster from it, so one is enough to reach every partition; a destination naming a
 * second broker of the same cluster gets a producer of its own. Port 9092 by default.
 *
 * @param bootstrap {@code host:port}
 * @param topic     the topic, as Kafka allows it: 1 to 249 of {@code [a-zA-Z0-9._-]}
 */
record KafkaDestination(String bootstrap, String topic) {
    static final int DEFAULT_PORT = 9092;
    private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    /** @throws IllegalArgumentException saying what is wrong with the URI */
    static KafkaDestination parse(URI uri) {
        if (uri.getScheme() == null || !uri.getScheme().toLowerCase(Locale.ROOT).equals("kafka")) {
            throw new IllegalArgumentException("kafka connector serves kafka://, not " + uri);
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("Kafka destination needs a host, like kafka://host:9092/topic, was " + uri);
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("Kafka destination is kafka://host:port/topic, nothing more: " + uri);
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        String topic = path.startsWith("/") ? path.substring(1) : path;
        if (!TOPIC.matcher(topic).matches() || topic.equals(".") || topic.equals("..")) {
            throw new IllegalArgumentException("Kafka topic must be 1 to 249 of [a-zA-Z0-9._-], was '" + topic + "' in "
                    + uri);
        }
        int port = uri.getPort() == -1 ? DEFAULT_PORT : uri.getPort();
        return new KafkaDestination(uri.getHost() + ":" + port, topic);
    }
}
