package dev.pactum.core;

import dev.pactum.api.InvalidInputException;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Checks a branch URL (confirm, cancel, prepare, commit, rollback, try) before anything is stored. A URL that can
 * never be called would be retried for ever once the transaction is decided, so everything that can be known
 * without calling it is checked here: an absolute http or https URL, a host, a port within 1-65535, no user
 * information (it would be stored and shown by every query) and no fragment (never sent, so surely a mistake).
 * Whether the host resolves and answers cannot be known now; docs/openapi.yaml says what happens then.
 */
public final class BranchUrls {
    static final int MAX_LENGTH = 2048;
    /**
     * URLs that passed {@link #check}, a pure function of the string: the same few confirm and cancel URLs come with
     * every registration, and parsing them again showed in the coordinator's profile. Bounded by clearing when full.
     */
    private static final Map<String, Boolean> ACCEPTED = new ConcurrentHashMap<>();
    static final int ACCEPTED_MAX = 4096;

    private BranchUrls() {
    }

    /** The URL, checked; null when it is absent and not {@code required}. */
    public static String check(String field, String value, boolean required) {
        if (value != null && ACCEPTED.containsKey(value)) {
            return value;
        }
        String checked = checkUri(field, value, required, s -> s.equals("http") || s.equals("https"),
                "must be an absolute http or https URL");
        if (checked != null) {
            if (ACCEPTED.size() >= ACCEPTED_MAX) {
                ACCEPTED.clear();
            }
            ACCEPTED.put(checked, Boolean.TRUE);
        }
        return checked;
    }

    /**
     * The shared part of every target check: length, syntax, a scheme {@code scheme} accepts (lower case; else
     * {@code schemeRule} is the message), a host, a port within 1-65535 when given, no user information and no
     * fragment. A message destination (any scheme a connector serves) uses it with its own scheme rule.
     */
    public static String checkUri(String field, String value, boolean required, Predicate<String> scheme,
                                  String schemeRule) {
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
            throw new InvalidInputException(field, field + " is not a valid URL: " + e.getMessage());
        }
        String s = u.getScheme() == null ? null : u.getScheme().toLowerCase(Locale.ROOT);
        if (s == null || !scheme.test(s)) {
            throw refused(field, value, schemeRule);
        }
        if (u.getRawUserInfo() != null) {
            throw refused(field, value.replace(u.getRawUserInfo(), "***"),
                    "must not carry user information (it would be stored and shown)");
        }
        // A server-based authority: java.net.URI leaves the host null for "http://a_b/" or "http://:80/".
        if (u.getHost() == null || u.getHost().isEmpty()) {
            throw refused(field, value, "must name a host");
        }
        if (u.getRawAuthority() != null && u.getPort() == -1 && u.getRawAuthority().endsWith(":")) {
            throw refused(field, value, "has an empty port");
        }
        if (u.getPort() == 0 || u.getPort() > 65535) {
            throw refused(field, value, "has port " + u.getPort() + ", outside 1-65535");
        }
        if (u.getRawFragment() != null) {
            throw refused(field, value, "must not have a fragment (#...), which is never sent");
        }
        return value;
    }

    private static InvalidInputException refused(String field, String value, String why) {
        return new InvalidInputException(field, field + " " + why + ", was '" + Ids.abbreviate(value) + "'");
    }
}
