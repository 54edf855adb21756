package dev.pactum.api;

import java.util.Locale;

/** The operations the coordinator or a client calls on a TCC branch. */
public enum BranchOp {
    TRY, CONFIRM, CANCEL;

    /** Lower-case wire name, as sent in the {@code Pactum-Op} header and stored in barrier rows. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static BranchOp fromWire(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }
}
