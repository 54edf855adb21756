package dev.pactum.core.model;

import dev.pactum.api.BranchStatus;
import dev.pactum.api.Operation;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One branch as stored: its id, status and operations (name, target, payload: what the pattern calls, as data, so
 * a new pattern needs no new column), and the outcome of the attempts so far. Immutable; a store persists a change
 * with {@code updateBranch(expected, updated)}, a compare-and-set on status and attempt count (the attempt count
 * serves as the branch's version).
 */
public record BranchRecord(String gid, String branchId, BranchStatus status, List<Operation> operations, int attempts,
                           String lastError, Instant createdAt, Instant updatedAt) {

    /** Longest last error kept: a participant's error page must not bloat the store. */
    public static final int MAX_ERROR_LENGTH = 1000;

    public BranchRecord {
        Objects.requireNonNull(gid, "gid");
        Objects.requireNonNull(branchId, "branchId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
        operations = List.copyOf(Objects.requireNonNull(operations, "operations"));
    }

    /** A new branch, REGISTERED, with the operations its pattern accepted. */
    public static BranchRecord register(String gid, String branchId, List<Operation> operations, Instant now) {
        return new BranchRecord(gid, branchId, BranchStatus.REGISTERED, operations, 0, null, now, now);
    }

    /** The operation called {@code name}; a branch its pattern accepted always has the ones the pattern calls. */
    public Operation operation(String name) {
        for (Operation o : operations) {
            if (o.name().equals(name)) {
                return o;
            }
        }
        throw new IllegalStateException("branch " + branchId + " of " + gid + " has no operation '" + name + "' (it has "
                + operations.stream().map(Operation::name).toList() + ")");
    }

    /** The target of operation {@code name}, or null when this branch has no such operation. */
    public String target(String name) {
        return Operation.targetOf(operations, name);
    }

    /**
     * The lane this branch is ordered in, or null: the first operation with a key names it, by its target and key
     * (a message's destination and key). Branches of one lane are delivered in the order their commits were decided
     * (docs/messages.md, "Order per key"). A hash, so that every store keeps it in a short fixed-width column.
     */
    public String lane() {
        for (Operation o : operations) {
            if (o.key() != null) {
                return laneOf(o.target(), o.key());
            }
        }
        return null;
    }

    /** The lane of {@code target} and {@code key}: SHA-256 of both, hex, 64 characters. */
    public static String laneOf(String target, String key) {
        try {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            sha.update(target.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            sha.update((byte) 0); // a URI has no NUL, so the first NUL ends the target: no two pairs give one input
            sha.update(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(sha.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /**
     * An attempt of phase 2 ended: {@code target} is the new status (the same one when it must be retried).
     * The attempt count always grows, which is what lets it serve as the branch's version in a compare-and-set.
     */
    public BranchRecord attempted(BranchStatus target, String error, Instant now) {
        status.checkMoveTo(target, gid, branchId);
        String e = error == null || error.length() <= MAX_ERROR_LENGTH ? error
                : error.substring(0, MAX_ERROR_LENGTH - 3) + "...";
        return new BranchRecord(gid, branchId, target, operations, attempts + 1, e, createdAt, now);
    }
}
