package dev.pactum.api;

import java.util.function.Function;

/**
 * The identity of one transactional message: the global transaction that produced it and the branch it is in.
 * Every delivery of the message carries it (as {@link Headers#GID} and {@link Headers#BRANCH_ID}, and as the
 * broker's own message id where there is one: {@link #wire()}); the consumer's inbox keys on it, so a message
 * delivered twice is applied once.
 *
 * <p>Ids are 1 to {@value #MAX_ID_LENGTH} printable ASCII characters without spaces, what the inbox's columns
 * store exactly. The gid must not contain {@code '/'}, which separates the two parts in {@link #wire()}; the
 * coordinator's own ids (letters, digits and {@code . _ : -}) never do.
 *
 * @param gid      the producing global transaction's id
 * @param branchId the message's branch id inside that transaction
 */
public record MessageId(String gid, String branchId) {
    /** Width of the inbox's {@code gid} and {@code branch_id} columns. */
    public static final int MAX_ID_LENGTH = 128;

    /** @throws InvalidInputException naming the field when a part is missing or does not fit */
    public MessageId {
        checkPart("gid", gid);
        checkPart("branchId", branchId);
        if (gid.indexOf('/') >= 0) {
            throw new InvalidInputException("gid", "gid must not contain '/', which separates it from the branch id");
        }
    }

    /**
     * Reads the id from the headers a delivery carries ({@link Headers#GID}, {@link Headers#BRANCH_ID}). Works with
     * any transport: pass its header lookup, e.g. {@code request::getHeader}.
     *
     * @param header returns a header's value by name, or null when absent
     * @throws InvalidInputException naming the header when one is missing or malformed; answer it with 400
     */
    public static MessageId fromHeaders(Function<String, String> header) {
        String gid = header.apply(Headers.GID);
        String branchId = header.apply(Headers.BRANCH_ID);
        checkPart(Headers.GID, gid);
        checkPart(Headers.BRANCH_ID, branchId);
        return new MessageId(gid, branchId);
    }

    /**
     * Parses {@link #wire()}'s form, {@code gid/branchId}, e.g. from an AMQP message-id property or a
     * {@code Nats-Msg-Id} header.
     *
     * @throws InvalidInputException when the text has no {@code '/'} or a part is malformed
     */
    public static MessageId parse(String wire) {
        int slash = wire == null ? -1 : wire.indexOf('/');
        if (slash < 0) {
            throw new InvalidInputException("messageId", "message id must be gid/branchId, was "
                    + (wire == null ? "null" : "'" + abbreviate(wire) + "'"));
        }
        return new MessageId(wire.substring(0, slash), wire.substring(slash + 1));
    }

    /** One string for brokers that carry a single message id: {@code gid + "/" + branchId}. */
    public String wire() {
        return gid + "/" + branchId;
    }

    private static void checkPart(String field, String value) {
        if (value == null || value.isEmpty()) {
            throw new InvalidInputException(field, field + " is required");
        }
        if (value.length() > MAX_ID_LENGTH) {
            throw new InvalidInputException(field, field + " must be at most " + MAX_ID_LENGTH
                    + " characters, was " + value.length());
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '!' || c > '~') {
                throw new InvalidInputException(field, field + " must be printable ASCII without spaces, was '"
                        + abbreviate(value) + "' (character " + i + ")");
            }
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    @Override
    public String toString() {
        return wire();
    }
}
