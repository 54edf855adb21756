package dev.pactum.core.msg;

import dev.pactum.api.InvalidInputException;
import dev.pactum.core.Ids;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The check a message destination passes when core alone is wired (no connector registry): what can be known of a
 * destination URI without knowing its broker. An absolute URI with a scheme and a host (http, https, amqp, kafka,
 * nats, or a user's own), no user information (destinations are stored and shown; credentials belong to the
 * connector's configuration) and no fragment. The server replaces this with the connectors' own check
 * ({@code Connectors.check}), which also knows whether a connector serves the scheme and the rest of the form.
 */
public final class Destinations {
    static final int MAX_LENGTH = 2048;
    private static final Pattern SCHEME = Pattern.compile("[a-z][a-z0-9+.-]{0,31}");

    private Destinations() {
    }

    /** The destination, checked; null when absent and not {@code required}. */
    public static String check(String field, String value, boolean required) {
        if (value == null || value.isEmpty()) {
            if (required) {
                throw new InvalidInputException(field, field + " is required");
            }
            return null;
        }
        if (value.length() > MAX_LENGTH) {
            throw new InvalidInputException(field, field + " is longer than " + MAX_LENGTH + " characters");
        }
        URI u;
        try {
            u = new URI(value);
        } catch (URISyntaxException e) {
            throw new InvalidInputException(field, field + " is not a valid URI: " + e.getMessage());
        }
        String scheme = u.getScheme() == null ? null : u.getScheme().toLowerCase(Locale.ROOT);
        if (scheme == null || !SCHEME.matcher(scheme).matches() || u.isOpaque()) {
            throw refused(field, value, "must be an absolute URI such as kafka://host:9092/topic");
        }
        if (u.getRawUserInfo() != null) {
            throw refused(field, value.replace(u.getRawUserInfo(), "***"),
                    "must not carry user information (it would be stored and shown; credentials belong to the connector)");
        }
        if (u.getHost() == null || u.getHost().isEmpty()) {
            throw refused(field, value, "must name a host");
        }
        if (u.getRawFragment() != null) {
            throw refused(field, value, "must not have a fragment (#...)");
        }
        return value;
    }

    private static InvalidInputException refused(String field, String value, String why) {
        return new InvalidInputException(field, field + " " + why + ", was '" + Ids.abbreviate(value) + "'");
    }
}
