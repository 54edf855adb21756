package dev.pactum.client.xa;

import java.util.EnumSet;
import java.util.Set;

/**
 * Where a branch held by this process stands, with the table of legal moves.
 *
 * <pre>
 *   WORKING ──work ok, xa.end(TMSUCCESS)──▶ IDLE ──xa.prepare on its connection──▶ PREPARED
 *      │                                    │                                        │
 *      │ work failed: end(TMFAIL),          │ rollback, idle timeout, close(),       │ commit / rollback (MariaDB:
 *      │ rollback                           │ prepare voted no or read-only          │ on the preparing session
 *      ▼                                    ▼                                        ▼ while held; else any)
 *    ENDED ◀────────────────────────────── ENDED ◀────────────────────────────────── ENDED
 * </pre>
 *
 * WORKING and IDLE hold a pooled XA connection and the branch's row locks. PREPARED: the database keeps the
 * prepared transaction and its locks; on PostgreSQL the connection went back to the pool at the prepare, on
 * MariaDB the branch keeps it for phase 2 (or until the recovery delay, a failed phase-2 call or close()). A
 * connection leaves a branch clean (back to the pool) or closed. ENDED is gone from the table of held branches.
 */
enum BranchState {
    WORKING, IDLE, PREPARED, ENDED;

    private Set<BranchState> next;

    static {
        WORKING.next = EnumSet.of(IDLE, ENDED);
        IDLE.next = EnumSet.of(PREPARED, ENDED);
        PREPARED.next = EnumSet.of(ENDED);
        ENDED.next = EnumSet.noneOf(BranchState.class);
    }

    /** @throws IllegalStateException when the move is not in the table: always a bug */
    BranchState checkMoveTo(BranchState target, XaBranchId branch) {
        if (!next.contains(target)) {
            throw new IllegalStateException("XA branch " + branch + " cannot move from " + this + " to " + target);
        }
        return target;
    }
}
