package dev.pactum.core.spi;

import dev.pactum.api.GlobalStatus;
import dev.pactum.core.model.BranchRecord;

/** What {@link TransactionStore#addBranch} did. */
public sealed interface AddBranchResult {
    record Added(BranchRecord branch) implements AddBranchResult {
    }

    record Duplicate(BranchRecord existing) implements AddBranchResult {
    }

    record NoSuchTransaction() implements AddBranchResult {
    }

    record WrongStatus(GlobalStatus status) implements AddBranchResult {
    }
}
