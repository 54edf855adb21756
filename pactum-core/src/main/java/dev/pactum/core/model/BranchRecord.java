package dev.pactum.core.model;

import dev.pactum.api.BranchStatus;

import java.time.Instant;
import java.util.Objects;

/**
 * One branch as stored. Immutable; a store persists a change with {@code updateBranch(expected, updated)},
 * a compare-and-set on status and attempt count (the attempt count serves as the branch's version).
 */
public record BranchRecord(String gid, String branchId, BranchStatus status, String tryUrl, String prepareUrl,
                           String confirmUrl, String cancelUrl, int attempts, String lastError, Instant createdAt,
                           Instant updatedAt) {

    public BranchRecord {
        Objects.requireNonNull(gid, "gid");
        Objects.requireNonNull(branchId, "branchId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }

    /** A TCC branch: Confirm and Cancel targets, and where its Try is called (informative). */
    public static BranchRecord register(String gid, String branchId, String tryUrl, String confirmUrl,
                                        String cancelUrl, Instant now) {
        return new BranchRecord(gid, branchId, BranchStatus.REGISTERED, tryUrl, null, confirmUrl, cancelUrl, 0, null,
                now, now);
    }

    /** An XA branch: its commit target is kept as {@code confirmUrl}, its rollback target as {@code cancelUrl}. */
    public static BranchRecord registerXa(String gid, String branchId, String prepareUrl, String commitUrl,
                                          String rollbackUrl, Instant now) {
        return new BranchRecord(gid, branchId, BranchStatus.REGISTERED, null, prepareUrl, commitUrl, rollbackUrl, 0,
                null, now, now);
    }

    /** Longest last error kept: a participant's error page must not bloat the store. */
    public static final int MAX_ERROR_LENGTH = 1000;

    /**
     * An attempt of phase 2 ended: {@code target} is the new status (the same one when it must be retried).
     * The attempt count always grows, which is what lets it serve as the branch's version in a compare-and-set.
     */
    public BranchRecord attempted(BranchStatus target, String error, Instant now) {
        status.checkMoveTo(target, gid, branchId);
        String e = error == null || error.length() <= MAX_ERROR_LENGTH ? error
                : error.substring(0, MAX_ERROR_LENGTH - 3) + "...";
        return new BranchRecord(gid, branchId, target, tryUrl, prepareUrl, confirmUrl, cancelUrl, attempts + 1, e,
                createdAt, now);
    }
}
