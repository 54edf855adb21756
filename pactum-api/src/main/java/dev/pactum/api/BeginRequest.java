package dev.pactum.api;

/**
 * Body of {@code POST /api/v1/transactions}.
 *
 * @param gid       optional client-chosen id; a repeat with the same id answers with the stored transaction
 * @param pattern   the pattern, TCC when absent
 * @param timeoutMs how long the transaction may stay ACTIVE before the coordinator aborts it; the server
 *                  default when absent
 */
public record BeginRequest(String gid, TxPattern pattern, Long timeoutMs) {
}
