package dev.pactum.api;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a message's key and headers may be: one rule set for the coordinator, which checks a {@code deliver}
 * operation when the message is registered (before anything is stored), and for the connectors' {@code Message},
 * which every transport sends. Bad input is an {@link InvalidInputException} naming the field, with the caller's
 * prefix ({@code branches[0].operations[0].key}, {@code headers.X}).
 */
public final class MessageRules {
    /** Longest key accepted: keys are routing information, not payload. */
    public static final int MAX_KEY_LENGTH = 1024;
    /** Most headers one message carries, and the longest value: headers are stored with the message. */
    public static final int MAX_HEADERS = 32;
    public static final int MAX_HEADER_VALUE_LENGTH = 4096;
    /** Header carrying the message key where the broker has no key of its own (HTTP, AMQP headers, NATS). */
    public static final String KEY_HEADER = "Pactum-Message-Key";

    /** Header names the connectors set themselves; a caller's header of the same name would be ambiguous. */
    private static final Set<String> RESERVED = Set.of(Headers.GID.toLowerCase(Locale.ROOT),
            Headers.BRANCH_ID.toLowerCase(Locale.ROOT), Headers.TRACEPARENT,
            KEY_HEADER.toLowerCase(Locale.ROOT), "nats-msg-id", "content-length", "host", "transfer-encoding");
    /** RFC 9110 token: what every transport accepts as a header name. */
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}");

    private MessageRules() {
    }

    /** The key, checked: 1 to {@value #MAX_KEY_LENGTH} characters, or null. */
    public static String checkKey(String field, String key) {
        if (key != null && (key.isEmpty() || key.length() > MAX_KEY_LENGTH)) {
            throw new InvalidInputException(field, field + " must be 1 to " + MAX_KEY_LENGTH
                    + " characters or absent, was " + key.length());
        }
        return key;
    }

    /** Every header of {@code headers} (null is none), checked as {@link #checkHeader} does, and their number. */
    public static void checkHeaders(String field, Map<String, String> headers) {
        if (headers == null) {
            return;
        }
        if (headers.size() > MAX_HEADERS) {
            throw new InvalidInputException(field, field + " has at most " + MAX_HEADERS + " entries, was "
                    + headers.size());
        }
        Set<String> seen = new java.util.HashSet<>();
        for (Map.Entry<String, String> h : headers.entrySet()) {
            checkHeader(field, h.getKey(), h.getValue(), seen);
        }
    }

    /**
     * One header: a token name, not one Pactum sets, not given twice (case-insensitively: {@code seen} holds the
     * lower-case names so far and gets this one), a value of printable text without line breaks.
     */
    public static void checkHeader(String field, String name, String value, Set<String> seen) {
        if (name == null || !TOKEN.matcher(name).matches()) {
            throw new InvalidInputException(field, "header name must be a token (letters, digits, !#$%&'*+.^_`|~-),"
                    + " was " + (name == null ? "null" : "'" + abbreviate(name) + "'"));
        }
        String at = field + "." + name;
        String lower = name.toLowerCase(Locale.ROOT);
        if (RESERVED.contains(lower)) {
            throw new InvalidInputException(at, "header " + name + " is set by Pactum itself");
        }
        if (!seen.add(lower)) {
            throw new InvalidInputException(at, "header " + name + " given twice");
        }
        if (value == null || value.length() > MAX_HEADER_VALUE_LENGTH
                || value.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f)) {
            throw new InvalidInputException(at, "header value must be text without control characters, at most "
                    + MAX_HEADER_VALUE_LENGTH + " characters");
        }
    }

    /** {@code s}, cut to 80 characters for an error message. */
    public static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
