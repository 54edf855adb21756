package dev.pactum.core.spi;

import dev.pactum.api.BranchStatus;
import dev.pactum.core.model.BranchRecord;
import dev.pactum.core.model.GlobalTransaction;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/** The preconditions of {@link TransactionStore#begin(GlobalTransaction, List)}, checked the same way by every store. */
public final class BeginChecks {
    private BeginChecks() {
    }

    public static void check(GlobalTransaction tx, List<BranchRecord> branches) {
        Objects.requireNonNull(tx, "tx");
        Objects.requireNonNull(branches, "branches");
        Set<String> ids = new HashSet<>();
        for (BranchRecord b : branches) {
            if (!b.gid().equals(tx.gid()) || b.status() != BranchStatus.REGISTERED || b.attempts() != 0
                    || !ids.add(b.branchId())) {
                throw new IllegalArgumentException("begin of " + tx.gid() + " was given branch " + b.branchId() + " of "
                        + b.gid() + " (" + b.status() + ", " + b.attempts() + " attempts): each branch must be new,"
                        + " REGISTERED, of this transaction, and have an id of its own");
            }
        }
    }
}
