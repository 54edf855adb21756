package dev.pactum.api;

/**
 * Body of {@code POST /api/v1/transactions/{gid}/branches}: registers a TCC branch before its Try is called.
 *
 * @param branchId   unique inside the transaction
 * @param tryUrl     optional, informative: where the client calls Try
 * @param confirmUrl where the coordinator POSTs Confirm
 * @param cancelUrl  where the coordinator POSTs Cancel
 */
public record BranchRequest(String branchId, String tryUrl, String confirmUrl, String cancelUrl) {
}
