package dev.pactum.core.spi;

import dev.pactum.api.BranchOp;

/** One call to a branch: where, which operation, and the ids sent as headers. */
public record BranchCall(String gid, String branchId, BranchOp op, String url) {
}
