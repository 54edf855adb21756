package dev.pactum.core.model;

import dev.pactum.api.GlobalStatus;
import dev.pactum.api.TxPattern;

import java.time.Instant;
import java.util.Objects;

/**
 * A global transaction as stored. Immutable: every change makes a new value, and a store persists it with
 * {@code compareAndSet(expected, updated)}, which succeeds only if the stored status and version are still
 * the expected ones.
 *
 * @param nextAttemptAt when a worker should next look at it: the timeout while ACTIVE, the next retry of
 *                      phase 2 while COMMITTING or ABORTING, null once final
 * @param owner         the coordinator node that holds the lease, or null
 * @param leaseUntil    until when that node may drive the transaction without another one stepping in
 * @param version       bumped by every stored change; part of the compare-and-set
 */
public record GlobalTransaction(String gid, TxPattern pattern, GlobalStatus status, String reason,
                                Instant createdAt, Instant updatedAt, Instant timeoutAt, Instant nextAttemptAt,
                                String owner, Instant leaseUntil, long version) {

    public GlobalTransaction {
        Objects.requireNonNull(gid, "gid");
        Objects.requireNonNull(pattern, "pattern");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
        Objects.requireNonNull(timeoutAt, "timeoutAt");
    }

    public static GlobalTransaction begin(String gid, TxPattern pattern, Instant now, Instant timeoutAt) {
        return new GlobalTransaction(gid, pattern, GlobalStatus.ACTIVE, null, now, now, timeoutAt, timeoutAt,
                null, null, 0);
    }

    /**
     * The one way to change the status: checks the move against {@link GlobalStatus}'s table.
     * A decision is taken with a lease for {@code owner}, so the node that took it drives phase 2 at once and
     * no worker steps in before {@code leaseUntil}; a final status clears the lease and the schedule.
     */
    public GlobalTransaction moveTo(GlobalStatus target, String why, Instant now, String owner, Instant leaseUntil) {
        status.checkMoveTo(target, gid);
        if (!target.isFinal() && (owner == null || leaseUntil == null)) {
            // Without a lease the transaction would have no next attempt, and no worker would ever pick it up.
            throw new IllegalArgumentException("moving " + gid + " to " + target + " needs an owner and a lease");
        }
        if (target.isFinal()) {
            return new GlobalTransaction(gid, pattern, target, why == null ? reason : why, createdAt, now, timeoutAt,
                    null, null, null, version);
        }
        return new GlobalTransaction(gid, pattern, target, why == null ? reason : why, createdAt, now, timeoutAt,
                leaseUntil, owner, leaseUntil, version);
    }

    /** Same status; the lease is given up and a worker should look again at {@code next}. */
    public GlobalTransaction rescheduled(Instant next, Instant now) {
        status.checkMoveTo(status, gid);
        return new GlobalTransaction(gid, pattern, status, reason, createdAt, now, timeoutAt, next, null, null, version);
    }

    /** Same status and schedule; the lease is taken by {@code node} until {@code until}. */
    public GlobalTransaction leasedTo(String node, Instant until, Instant now) {
        status.checkMoveTo(status, gid);
        return new GlobalTransaction(gid, pattern, status, reason, createdAt, now, timeoutAt, nextAttemptAt, node, until,
                version);
    }

    /** The value a store keeps after a successful compare-and-set from this one. */
    public GlobalTransaction withVersion(long v) {
        return new GlobalTransaction(gid, pattern, status, reason, createdAt, updatedAt, timeoutAt, nextAttemptAt, owner,
                leaseUntil, v);
    }

    public boolean isLeasedAt(Instant now) {
        return owner != null && leaseUntil != null && leaseUntil.isAfter(now);
    }
}
