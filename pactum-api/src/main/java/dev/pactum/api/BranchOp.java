package dev.pactum.api;

import java.util.Locale;

/**
 * The operations called on a branch: Try / Confirm / Cancel for TCC, prepare / commit / rollback for XA, deliver (the
 * committed message to its destination) and check (the producer's check-back) for MSG.
 */
public enum BranchOp {
    TRY, CONFIRM, CANCEL, PREPARE, COMMIT, ROLLBACK, DELIVER, CHECK;

    /** Lower-case wire name, as sent in the {@code Pactum-Op} header and stored in barrier rows. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static BranchOp fromWire(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }
}
