package dev.pactum.core.msg;

import dev.pactum.core.BranchUrls;

import java.util.regex.Pattern;

/**
 * The check a message destination passes when core alone is wired (no connector registry): what can be known of a
 * destination URI without knowing its broker. An absolute URI with a scheme and a host (http, https, amqp, kafka,
 * nats, or a user's own), a port within 1-65535 when given, no user information (destinations are stored and
 * shown; credentials belong to the connector's configuration) and no fragment. The server adds the connectors' own
 * check ({@code Connectors.check}), which also knows whether a connector serves the scheme and the rest of the form.
 */
public final class Destinations {
    private static final Pattern SCHEME = Pattern.compile("[a-z][a-z0-9+.-]{0,31}");

    private Destinations() {
    }

    /** The destination, checked; null when absent and not {@code required}. */
    public static String check(String field, String value, boolean required) {
        return BranchUrls.checkUri(field, value, required, s -> SCHEME.matcher(s).matches(),
                "must be an absolute URI such as kafka://host:9092/topic");
    }
}
