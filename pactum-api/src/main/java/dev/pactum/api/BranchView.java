package dev.pactum.api;

import java.time.Instant;
import java.util.List;

/**
 * One branch as the query API shows it: its operations, its attempts and the last error seen.
 *
 * <p>{@code tryUrl}, {@code prepareUrl}, {@code confirmUrl} and {@code cancelUrl} repeat targets of
 * {@code operations} for clients of earlier versions, and will go: {@code confirmUrl} is the target of
 * {@code confirm} (TCC) or {@code commit} (XA), {@code cancelUrl} that of {@code cancel} or {@code rollback}.
 */
public record BranchView(String branchId, BranchStatus status, List<Operation> operations, String tryUrl,
                         String prepareUrl, String confirmUrl, String cancelUrl, int attempts, String lastError,
                         Instant createdAt, Instant updatedAt) {
}
