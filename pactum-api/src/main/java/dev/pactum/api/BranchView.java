package dev.pactum.api;

import java.time.Instant;

/** One branch as the query API shows it, with its phase-2 attempts and the last error seen. */
public record BranchView(String branchId, BranchStatus status, String tryUrl, String confirmUrl, String cancelUrl,
                         int attempts, String lastError, Instant createdAt, Instant updatedAt) {
}
