package dev.pactum.core.testkit;

import dev.pactum.api.BranchStatus;
import dev.pactum.api.GlobalStatus;
import dev.pactum.core.model.BranchRecord;
import dev.pactum.core.model.GlobalTransaction;
import dev.pactum.core.spi.TransactionStore;
import dev.pactum.core.store.TransactionStoreContract;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The kit's store passes the contract every real store passes, and loses at a crash only what is not synced. */
class InMemoryTransactionStoreTest extends TransactionStoreContract {

    @Override
    protected TransactionStore newStore() {
        return new InMemoryTransactionStore();
    }

    @Override
    protected TransactionStore reopen(TransactionStore closed) {
        return ((InMemoryTransactionStore) closed).reopen();
    }

    @Test
    void aCrashOfALazyStoreLosesOnlyWhatWasWrittenSinceTheLastSyncedWrite() {
        InMemoryTransactionStore lazy = new InMemoryTransactionStore(InMemoryTransactionStore.Durability.LAZY_AS_DOCUMENTED,
                new InMemoryTransactionStore.Observer() {
                });
        GlobalTransaction tx = lazy.begin(tx("g-1")).transaction();
        BranchRecord pay = branch("g-1", "pay");
        lazy.addBranch(pay, GlobalStatus.ACTIVE);
        GlobalTransaction committing = lazy.compareAndSet(tx.withVersion(1), tx.withVersion(1)
                .moveTo(GlobalStatus.COMMITTING, "submitted", T0, "node-a", T0.plusSeconds(30))).orElseThrow();
        BranchRecord confirmed = pay.attempted(BranchStatus.CONFIRMED, null, T0.plusMillis(1));
        assertThat(lazy.updateBranch(pay, confirmed)).isTrue();                      // not synced
        assertThat(lazy.claimDue("node-b", T0.plusSeconds(60), T0.plusSeconds(90), 10)).hasSize(1); // not synced

        lazy.crash();

        assertThat(lazy.find("g-1")).contains(committing);
        assertThat(lazy.branches("g-1")).containsExactly(pay);

        // A synced write makes the unsynced ones before it durable too: one sequential log.
        assertThat(lazy.updateBranch(pay, confirmed)).isTrue();
        GlobalTransaction committed = lazy.compareAndSet(committing, committing.moveTo(GlobalStatus.COMMITTED, null,
                T0.plusMillis(2), null, null)).orElseThrow();
        lazy.crash();

        assertThat(lazy.find("g-1")).contains(committed);
        assertThat(lazy.branches("g-1")).containsExactly(confirmed);
    }

    @Test
    void aCrashOfAStoreWhoseWritesAreAllSyncedLosesNothing() {
        InMemoryTransactionStore synced = new InMemoryTransactionStore();
        synced.begin(tx("g-1"));
        BranchRecord pay = branch("g-1", "pay");
        synced.addBranch(pay, GlobalStatus.ACTIVE);
        BranchRecord failed = pay.attempted(BranchStatus.REGISTERED, "HTTP 503", T0.plusMillis(1));
        synced.updateBranch(pay, failed);

        synced.crash();

        assertThat(synced.branches("g-1")).containsExactly(failed);
        assertThat(synced.findDurable("g-1")).isEqualTo(synced.find("g-1"));
    }
}
