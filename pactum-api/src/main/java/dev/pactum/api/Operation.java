package dev.pactum.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One operation of a branch, as data: what the coordinator (or the client) calls, where, with what. A TCC branch
 * has {@code try}, {@code confirm} and {@code cancel}; an XA branch {@code prepare}, {@code commit} and
 * {@code rollback}; later patterns add their own names (3PC's {@code precommit}, a message's {@code deliver}, a
 * saga's {@code action} and {@code compensate}) without any change to stores or views. Which names a branch must
 * carry is its pattern's rule, and so is whether an operation may have a key and headers (today only MSG's
 * {@code deliver}: {@link MessageRules}).
 *
 * @param name    the operation's name: lower case letters, digits, '-' and '_', at most 32
 * @param target  where it is sent: an absolute URL (http, https, or a broker's scheme for a message destination)
 * @param payload what is sent with it, or null: opaque text (a message body, a request body), at most 32 Ki characters (a whole request is at most 64 KiB by default)
 * @param key     what orders it, or null: a message's key (Kafka's record key; order is kept per destination and key)
 * @param headers what is sent beside the payload, or null (an empty map is stored as null); in the order given
 */
public record Operation(String name, String target, String payload, String key, Map<String, String> headers) {
    public static final int MAX_PAYLOAD_CHARS = 32 * 1024;

    public Operation {
        headers = headers == null || headers.isEmpty() ? null : Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }

    /** An operation without key and headers, the shape of every pattern but MSG. */
    public Operation(String name, String target, String payload) {
        this(name, target, payload, null, null);
    }

    public static Operation of(String name, String target) {
        return new Operation(name, target, null);
    }

    /** The headers, never null. */
    public Map<String, String> headersOrEmpty() {
        return headers == null ? Map.of() : headers;
    }

    /** The target of the operation called {@code name} in {@code ops}, or null when there is none. */
    public static String targetOf(List<Operation> ops, String name) {
        if (ops != null) {
            for (Operation o : ops) {
                if (o != null && name.equals(o.name())) {
                    return o.target();
                }
            }
        }
        return null;
    }
}
