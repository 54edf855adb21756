package dev.pactum.client;

import dev.pactum.api.Outcome;
import dev.pactum.api.PactumException;

/** A Try was refused (409) or its outcome is unknown; the transaction should be aborted. */
public final class TryFailedException extends PactumException {
    private final String branchId;
    private final Outcome outcome;
    private final int httpStatus;

    public TryFailedException(String gid, String branchId, Outcome outcome, int httpStatus, String detail) {
        super("try_failed", "Try of branch " + branchId + " in " + gid + " "
                + (outcome == Outcome.FAILURE ? "was refused" : "has an unknown outcome")
                + " (HTTP " + httpStatus + "): " + abbreviate(detail), gid, null);
        this.branchId = branchId;
        this.outcome = outcome;
        this.httpStatus = httpStatus;
    }

    public String branchId() {
        return branchId;
    }

    /** FAILURE when the participant refused, ONGOING when nobody knows whether the Try ran. */
    public Outcome outcome() {
        return outcome;
    }

    public int httpStatus() {
        return httpStatus;
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "";
        }
        return s.length() <= 200 ? s : s.substring(0, 197) + "...";
    }
}
