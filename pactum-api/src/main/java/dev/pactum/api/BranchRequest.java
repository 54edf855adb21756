package dev.pactum.api;

/**
 * Body of {@code POST /api/v1/transactions/{gid}/branches}: registers a branch before its Try (TCC) or its work
 * (XA) is called.
 *
 * @param branchId    unique inside the transaction
 * @param tryUrl      TCC, optional and informative: where the client calls Try
 * @param confirmUrl  TCC: where the coordinator POSTs Confirm
 * @param cancelUrl   TCC: where the coordinator POSTs Cancel
 * @param prepareUrl  XA: where the coordinator POSTs prepare (phase one, the vote)
 * @param commitUrl   XA: where the coordinator POSTs commit
 * @param rollbackUrl XA: where the coordinator POSTs rollback
 */
public record BranchRequest(String branchId, String tryUrl, String confirmUrl, String cancelUrl,
                            String prepareUrl, String commitUrl, String rollbackUrl) {

    /** A TCC branch. */
    public static BranchRequest tcc(String branchId, String tryUrl, String confirmUrl, String cancelUrl) {
        return new BranchRequest(branchId, tryUrl, confirmUrl, cancelUrl, null, null, null);
    }

    /** An XA branch. */
    public static BranchRequest xa(String branchId, String prepareUrl, String commitUrl, String rollbackUrl) {
        return new BranchRequest(branchId, null, null, null, prepareUrl, commitUrl, rollbackUrl);
    }
}
