package dev.pactum.core.testkit;

import dev.pactum.api.Operation;
import dev.pactum.core.model.BranchRecord;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Branch records of the two shapes tests use most, as the TCC and XA patterns would make them. */
public final class TestBranches {
    private TestBranches() {
    }

    /** A TCC branch: operations try (when given), confirm and cancel. */
    public static BranchRecord tcc(String gid, String branchId, String tryUrl, String confirmUrl, String cancelUrl,
                                   Instant now) {
        List<Operation> ops = new ArrayList<>();
        if (tryUrl != null) {
            ops.add(Operation.of("try", tryUrl));
        }
        ops.add(Operation.of("confirm", confirmUrl));
        ops.add(Operation.of("cancel", cancelUrl));
        return BranchRecord.register(gid, branchId, ops, now);
    }

    /** An XA branch: operations prepare, commit and rollback. */
    public static BranchRecord xa(String gid, String branchId, String prepareUrl, String commitUrl, String rollbackUrl,
                                  Instant now) {
        return BranchRecord.register(gid, branchId, List.of(Operation.of("prepare", prepareUrl),
                Operation.of("commit", commitUrl), Operation.of("rollback", rollbackUrl)), now);
    }
}
