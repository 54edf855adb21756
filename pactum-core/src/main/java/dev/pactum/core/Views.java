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

    public static BranchView of(BranchRecord b) {
        return new BranchView(b.branchId(), b.status(), b.tryUrl(), b.prepareUrl(), b.confirmUrl(), b.cancelUrl(), b.attempts(),
                b.lastError(), b.createdAt(), b.updatedAt());
    }
}
