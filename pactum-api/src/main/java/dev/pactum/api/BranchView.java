package dev.pactum.api;

import java.time.Instant;

/**
 * One branch as the query API shows it, with its attempts and the last error seen. For an XA branch,
 * {@code confirmUrl} is where it is committed and {@code cancelUrl} where it is rolled back.
 */
public record BranchView(String branchId, BranchStatus status, String tryUrl, String prepareUrl, String confirmUrl,
                         String cancelUrl, int attempts, String lastError, Instant createdAt, Instant updatedAt) {
}
