package dev.pactum.api;

import java.util.List;

/**
 * Body of {@code POST /api/v1/transactions/{gid}/branches}: registers a branch before its Try (TCC) or its work
 * (XA) is called.
 *
 * <p>The branch's operations are given either as a list ({@code operations}, the general shape every pattern
 * takes) or, for TCC and XA, by the URL fields of earlier versions, which the pattern turns into the same
 * operations. Both in one request is refused, naming the field.
 *
 * @param branchId    unique inside the transaction
 * @param tryUrl      TCC, optional and informative: where the client calls Try (operation {@code try})
 * @param confirmUrl  TCC: where the coordinator POSTs Confirm (operation {@code confirm})
 * @param cancelUrl   TCC: where the coordinator POSTs Cancel (operation {@code cancel})
 * @param prepareUrl  XA: where the coordinator POSTs prepare, the vote (operation {@code prepare})
 * @param commitUrl   XA: where the coordinator POSTs commit (operation {@code commit})
 * @param rollbackUrl XA: where the coordinator POSTs rollback (operation {@code rollback})
 * @param operations  the operations as data, instead of the URL fields
 */
public record BranchRequest(String branchId, String tryUrl, String confirmUrl, String cancelUrl,
                            String prepareUrl, String commitUrl, String rollbackUrl, List<Operation> operations) {

    /** A TCC branch. */
    public static BranchRequest tcc(String branchId, String tryUrl, String confirmUrl, String cancelUrl) {
        return new BranchRequest(branchId, tryUrl, confirmUrl, cancelUrl, null, null, null, null);
    }

    /** An XA branch. */
    public static BranchRequest xa(String branchId, String prepareUrl, String commitUrl, String rollbackUrl) {
        return new BranchRequest(branchId, null, null, null, prepareUrl, commitUrl, rollbackUrl, null);
    }

    /** A branch given by its operations, of any pattern. */
    public static BranchRequest of(String branchId, List<Operation> operations) {
        return new BranchRequest(branchId, null, null, null, null, null, null, operations);
    }
}
