package dev.pactum.api;

import java.util.List;

/**
 * Body of {@code POST /api/v1/transactions}.
 *
 * @param gid       optional client-chosen id; a repeat with the same id and the same terms answers with the
 *                  stored transaction, a repeat with other terms is a conflict naming the field
 * @param pattern   the pattern, TCC when absent
 * @param timeoutMs how long the transaction may stay ACTIVE before the coordinator aborts it; the server
 *                  default when absent
 * @param branches  optional first branches, registered in the same durable write as the begin: one call instead
 *                  of one per branch. Each is what {@code POST .../branches} takes.
 */
public record BeginRequest(String gid, TxPattern pattern, Long timeoutMs, List<BranchRequest> branches) {
    public BeginRequest(String gid, TxPattern pattern, Long timeoutMs) {
        this(gid, pattern, timeoutMs, null);
    }
}
