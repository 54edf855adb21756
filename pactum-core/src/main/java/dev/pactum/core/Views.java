package dev.pactum.core;

import dev.pactum.api.BranchView;
import dev.pactum.api.TransactionView;
import dev.pactum.core.model.BranchRecord;
import dev.pactum.core.model.GlobalTransaction;

import java.util.List;

/** Turns stored records into the values the API answers with. */
public final class Views {
    private Views() {
    }

    public static TransactionView of(GlobalTransaction tx, List<BranchRecord> branches) {
        return new TransactionView(tx.gid(), tx.pattern(), tx.status(), tx.reason(), tx.createdAt(), tx.updatedAt(),
                tx.timeoutAt(), tx.nextAttemptAt(), branches.stream().map(Views::of).toList());
    }

    /** The URL fields of earlier versions are derived from the operations (see {@link BranchView}). */
    public static BranchView of(BranchRecord b) {
        return new BranchView(b.branchId(), b.status(), b.operations(), b.target("try"), b.target("prepare"),
                orElse(b.target("confirm"), b.target("commit")), orElse(b.target("cancel"), b.target("rollback")),
                b.attempts(), b.lastError(), b.createdAt(), b.updatedAt());
    }

    private static String orElse(String a, String b) {
        return a != null ? a : b;
    }
}
