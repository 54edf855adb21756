package dev.pactum.client.barrier;

import dev.pactum.api.BranchOp;
import dev.pactum.api.Headers;
import dev.pactum.api.InvalidInputException;

import java.util.function.Function;

/**
 * Which branch operation a call is: the key of its barrier row.
 *
 * <p>Ids are 1 to {@value #MAX_ID_LENGTH} printable ASCII characters without spaces. The coordinator's own ids
 * are stricter (64 characters of letters, digits and {@code . _ : -}); the barrier only insists on what its
 * column can store exactly: no truncation, no case or trailing-space folding by a collation.
 *
 * @param gid      the global transaction id
 * @param branchId the branch id, unique inside the global transaction
 * @param op       try, confirm or cancel
 */
public record BarrierKey(String gid, String branchId, BranchOp op) {
    /** Width of the {@code gid} and {@code branch_id} columns. */
    public static final int MAX_ID_LENGTH = 128;

    /** @throws InvalidInputException naming the field when a value is missing or does not fit */
    public BarrierKey {
        checkId("gid", gid);
        checkId("branchId", branchId);
        if (op == null) {
            throw new InvalidInputException("op", "op is required");
        }
        if (op != BranchOp.TRY && op != BranchOp.CONFIRM && op != BranchOp.CANCEL) {
            // The barrier is TCC's; XA branches are made idempotent by the database's own xid bookkeeping.
            throw new InvalidInputException("op", "op must be try, confirm or cancel, was " + op.wire());
        }
    }

    /**
     * Reads the key from the headers every branch call carries ({@link Headers#GID}, {@link Headers#BRANCH_ID},
     * {@link Headers#OP}). Works with any HTTP server: pass its header lookup, e.g. {@code request::getHeader}
     * (Servlet) or {@code exchange.getRequestHeaders()::getFirst} (JDK HttpServer).
     *
     * @param header returns a header's value by name, or null when absent
     * @throws InvalidInputException naming the header when one is missing or malformed; answer it with 400
     */
    public static BarrierKey fromHeaders(Function<String, String> header) {
        String gid = header.apply(Headers.GID);
        String branchId = header.apply(Headers.BRANCH_ID);
        String op = header.apply(Headers.OP);
        checkId(Headers.GID, gid);
        checkId(Headers.BRANCH_ID, branchId);
        if (op == null || op.isEmpty()) {
            throw new InvalidInputException(Headers.OP, Headers.OP + " is required");
        }
        BranchOp parsed;
        try {
            parsed = BranchOp.fromWire(op);
            if (parsed != BranchOp.TRY && parsed != BranchOp.CONFIRM && parsed != BranchOp.CANCEL) {
                throw new IllegalArgumentException(op);
            }
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(Headers.OP, Headers.OP + " must be try, confirm or cancel, was '"
                    + abbreviate(op) + "'");
        }
        return new BarrierKey(gid, branchId, parsed);
    }

    /**
     * Checks a gid or branch id against what the barrier's columns store exactly (also used for the message
     * producer's rows, whose op is not a TCC operation).
     *
     * @throws InvalidInputException naming {@code field} when the value is missing or does not fit
     */
    public static void checkId(String field, String value) {
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
        return gid + "/" + branchId + "/" + op.wire();
    }
}
