package dev.pactum.api;

import java.time.Instant;
import java.util.List;

/** A global transaction as the query API shows it. {@code branches} is empty in list answers. */
public record TransactionView(String gid, TxPattern pattern, GlobalStatus status, String reason,
                              Instant createdAt, Instant updatedAt, Instant timeoutAt,
                              Instant nextAttemptAt, List<BranchView> branches) {
}
