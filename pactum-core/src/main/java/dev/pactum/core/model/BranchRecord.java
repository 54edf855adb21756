package dev.pactum.core.model;

import dev.pactum.api.BranchStatus;

import java.time.Instant;
import java.util.Objects;

/**
 * One branch as stored. Immutable; a store persists a change with {@code updateBranch(expected, updated)},
 * a compare-and-set on status and attempt count (the attempt count serves as the branch's version).
 */
public record BranchRecord(String gid, String branchId, BranchStatus status, String tryUrl, String confirmUrl,
                           String cancelUrl, int attempts, String lastError, Instant createdAt, Instant updatedAt) {

    public BranchRecord {
        Objects.requireNonNull(gid, "gid");
        Objects.requireNonNull(branchId, "branchId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }

    public static BranchRecord register(String gid, String branchId, String tryUrl, String confirmUrl,
                                        String cancelUrl, Instant now) {
        return new BranchRecord(gid, branchId, BranchStatus.REGISTERED, tryUrl, confirmUrl, cancelUrl, 0, null, now, now);
    }

    /** An attempt of phase 2 ended: {@code target} is the new status (the same one when it must be retried). */
    public BranchRecord attempted(BranchStatus target, String error, Instant now) {
        status.checkMoveTo(target, gid, branchId);
        return new BranchRecord(gid, branchId, target, tryUrl, confirmUrl, cancelUrl, attempts + 1, error, createdAt, now);
    }
}
