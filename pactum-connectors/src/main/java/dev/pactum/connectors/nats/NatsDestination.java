package dev.pactum.connectors.nats;

import java.net.URI;
import java.util.Locale;

/**
 * A NATS JetStream destination, {@code nats://host[:port]/subject}, for example
 * {@code nats://127.0.0.1:4222/orders.paid}. The subject must be covered by a stream: JetStream stores and
 * acknowledges a publish only then (the connector creates no streams; that is the operator's choice of limits
 * and retention). Port 4222 by default.
 *
 * @param server {@code nats://host:port}
 * @param subject a subject without wildcards: dot-separated non-empty tokens of printable ASCII
 */
record NatsDestination(String server, String subject) {
    static final int DEFAULT_PORT = 4222;

    /** @throws IllegalArgumentException saying what is wrong with the URI */
    static NatsDestination parse(URI uri) {
        if (uri.getScheme() == null || !uri.getScheme().toLowerCase(Locale.ROOT).equals("nats")) {
            throw new IllegalArgumentException("nats connector serves nats://, not " + uri);
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("NATS destination needs a host, like nats://host:4222/subject, was " + uri);
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("NATS destination is nats://host:port/subject, nothing more: " + uri);
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        String subject = path.startsWith("/") ? path.substring(1) : path;
        String why = checkSubject(subject);
        if (why != null) {
            throw new IllegalArgumentException("NATS subject " + why + ", was '" + subject + "' in " + uri);
        }
        int port = uri.getPort() == -1 ? DEFAULT_PORT : uri.getPort();
        return new NatsDestination("nats://" + uri.getHost() + ":" + port, subject);
    }

    private static String checkSubject(String subject) {
        if (subject.isEmpty() || subject.length() > 1024) {
            return "must be 1 to 1024 characters";
        }
        for (String token : subject.split("\\.", -1)) {
            if (token.isEmpty()) {
                return "must not have empty tokens (leading, trailing or double dots)";
            }
            if (token.equals("*") || token.equals(">")) {
                return "must not have wildcards: a message goes to one subject";
            }
            for (int i = 0; i < token.length(); i++) {
                char c = token.charAt(i);
                if (c <= ' ' || c > '~') {
                    return "must be printable ASCII without spaces";
                }
            }
        }
        return null;
    }
}
