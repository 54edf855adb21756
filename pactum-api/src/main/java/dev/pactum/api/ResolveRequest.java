package dev.pactum.api;

/**
 * Body of {@code POST /api/v1/transactions/{gid}/resolve}: an operator's decision for a PARKED transaction.
 *
 * @param decision {@code "commit"} or {@code "abort"}
 * @param reason   optional, kept as the transaction's reason (at most 200 characters are kept)
 */
public record ResolveRequest(String decision, String reason) {
    public ResolveRequest(String decision) {
        this(decision, null);
    }
}
