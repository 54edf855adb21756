package dev.pactum.core.spi;

import dev.pactum.api.BranchOp;

/**
 * One call to a branch: where, which operation, the ids sent as headers, and the operation's payload (null when
 * the branch gave none), which an HTTP invoker sends as the request body.
 */
public record BranchCall(String gid, String branchId, BranchOp op, String url, String payload) {
    public BranchCall(String gid, String branchId, BranchOp op, String url) {
        this(gid, branchId, op, url, null);
    }
}
