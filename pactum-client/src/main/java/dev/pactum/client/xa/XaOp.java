package dev.pactum.client.xa;

import dev.pactum.api.Headers;
import dev.pactum.api.InvalidInputException;

import java.util.Locale;

/** The operations the coordinator calls on an XA branch, sent as the {@link Headers#OP} header. */
public enum XaOp {
    /** Phase 1: prepare the branch and vote; 200 is yes, 409 is no. */
    PREPARE,
    /** Phase 2 after a commit decision. */
    COMMIT,
    /** Phase 2 after an abort decision, or an abort before phase 1. */
    ROLLBACK;

    /** Lower-case wire name: {@code prepare}, {@code commit}, {@code rollback}. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The operation for a wire name, case-insensitive.
     *
     * @throws InvalidInputException naming {@link Headers#OP} for anything else
     */
    public static XaOp fromWire(String s) {
        if (s == null || s.isEmpty()) {
            throw new InvalidInputException(Headers.OP, Headers.OP + " is required");
        }
        for (XaOp op : values()) {
            if (op.wire().equalsIgnoreCase(s)) {
                return op;
            }
        }
        throw new InvalidInputException(Headers.OP, Headers.OP + " must be prepare, commit or rollback, was '"
                + (s.length() <= 40 ? s : s.substring(0, 37) + "...") + "'");
    }
}
