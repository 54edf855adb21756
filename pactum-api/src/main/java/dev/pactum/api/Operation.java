package dev.pactum.api;

import java.util.List;

/**
 * One operation of a branch, as data: what the coordinator (or the client) calls, where, with what. A TCC branch
 * has {@code try}, {@code confirm} and {@code cancel}; an XA branch {@code prepare}, {@code commit} and
 * {@code rollback}; later patterns add their own names (3PC's {@code precommit}, a message's {@code deliver}, a
 * saga's {@code action} and {@code compensate}) without any change to stores or views. Which names a branch must
 * carry is its pattern's rule.
 *
 * @param name    the operation's name: lower case letters, digits, '-' and '_', at most 32
 * @param target  where it is sent: an absolute URL (http, https, or a broker's scheme for a message destination)
 * @param payload what is sent with it, or null: opaque text (a message body, a request body), at most 32 Ki characters (a whole request is at most 64 KiB by default)
 */
public record Operation(String name, String target, String payload) {
    public static final int MAX_PAYLOAD_CHARS = 32 * 1024;

    public static Operation of(String name, String target) {
        return new Operation(name, target, null);
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
