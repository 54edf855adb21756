package dev.pactum.core.spi;

import dev.pactum.core.model.BranchRecord;

/** One branch's answer to record: {@code expected} replaced by {@code updated}, as {@link TransactionStore#updateBranch}. */
public record BranchUpdate(BranchRecord expected, BranchRecord updated) {
}
