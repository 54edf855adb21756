package dev.pactum.core;

import dev.pactum.api.GlobalStatus;
import dev.pactum.core.model.GlobalTransaction;

import java.time.Clock;
import java.time.Instant;

/**
 * What the patterns whose open transactions simply die at their timeout (TCC, XA) do when an ACTIVE one becomes
 * due: abort it if its timeout has passed, or hand it back to the schedule until then (another node's clock may
 * run ahead of ours). A half message does something else at that moment (it checks back), so this is a helper the
 * pattern chooses, not engine behaviour.
 */
public final class ActiveTimeout {
    private final Decisions decisions;
    private final Clock clock;

    public ActiveTimeout(Decisions decisions, Clock clock) {
        this.decisions = decisions;
        this.clock = clock;
    }

    /** The stored transaction afterwards: ABORTING (held by this node), still ACTIVE, or {@code tx} if another writer won. */
    public GlobalTransaction abortIfExpired(GlobalTransaction tx) {
        Instant now = clock.instant();
        if (tx.timeoutAt().isAfter(now)) {
            return decisions.reschedule(tx, tx.timeoutAt()).orElse(tx);
        }
        return decisions.move(tx, GlobalStatus.ABORTING, "timeout").orElse(tx);
    }
}
