package dev.pactum.store.jdbc;

import dev.pactum.api.BranchStatus;
import dev.pactum.api.IllegalTransitionException;
import dev.pactum.api.TxPattern;
import dev.pactum.core.model.BranchRecord;
import dev.pactum.core.model.GlobalTransaction;
import dev.pactum.core.spi.TransactionStore;
import dev.pactum.core.store.TransactionStoreContract;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static dev.pactum.api.GlobalStatus.ABORTING;
import static dev.pactum.api.GlobalStatus.ACTIVE;
import static dev.pactum.api.GlobalStatus.COMMITTING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The store contract plus what only a JDBC store promises: several stores (coordinators) on one database,
 * millisecond truncation, argument checks before any SQL, and errors that say what failed where.
 */
abstract class JdbcTransactionStoreTestBase extends TransactionStoreContract {

    /** The scratch database of the concrete test class. */
    protected abstract TestDatabase database();

    protected abstract String expectedName();

    @Override
    protected TransactionStore newStore() {
        JdbcTransactionStore store = JdbcTransactionStore.open(database().config());
        database().clear();
        return store;
    }

    @Override
    protected TransactionStore reopen(TransactionStore closed) {
        return JdbcTransactionStore.open(database().config());
    }

    @Test
    void nameIsTheUrlScheme() {
        assertThat(store.name()).isEqualTo(expectedName());
    }

    @Test
    void twoCoordinatorsOnOneDatabaseSeeTheSameTransactionsAndRespectEachOthersLeases() {
        try (JdbcTransactionStore other = JdbcTransactionStore.open(database().config())) {
            Instant now = T0.plusSeconds(100);
            GlobalTransaction due = stored("g-1", COMMITTING, now.minusSeconds(1), null, null);

            assertThat(other.find("g-1")).contains(due);
            GlobalTransaction claimed = store.claimDue("node-a", now, now.plusSeconds(30), 10).getFirst();
            assertThat(other.claimDue("node-b", now, now.plusSeconds(30), 10)).isEmpty();
            assertThat(other.compareAndSet(due, due.rescheduled(now, now))).as("stale version").isEmpty();
            assertThat(other.find("g-1")).contains(claimed);
        }
    }

    @Test
    void instantsAreTruncatedToMillisecondsAndWhatIsReturnedIsWhatIsStored() {
        Instant micros = Instant.parse("2030-01-01T00:00:00.123456789Z");
        GlobalTransaction tx = GlobalTransaction.begin("g-1", TxPattern.TCC, micros, micros.plusSeconds(60));

        GlobalTransaction begun = store.begin(tx).transaction();

        assertThat(begun.createdAt()).isEqualTo(Instant.parse("2030-01-01T00:00:00.123Z"));
        assertThat(store.find("g-1")).contains(begun);
        GlobalTransaction moved = store.compareAndSet(begun, begun.moveTo(COMMITTING, null, micros.plusNanos(999_999),
                "node-a", micros.plusSeconds(30))).orElseThrow();
        assertThat(moved.updatedAt()).isEqualTo(Instant.parse("2030-01-01T00:00:00.124Z"));
        assertThat(store.find("g-1")).contains(moved);
    }

    @Test
    void compareAndSetRefusesAnIllegalTransitionAndChangesNothing() {
        GlobalTransaction tx = begun("g-1");
        GlobalTransaction committing = cas(tx, tx.moveTo(COMMITTING, null, T0, "node-a", T0.plusSeconds(30)));
        GlobalTransaction backwards = new GlobalTransaction("g-1", TxPattern.TCC, ABORTING, "flip", T0, T0,
                committing.timeoutAt(), null, null, null, committing.version());

        assertThatThrownBy(() -> store.compareAndSet(committing, backwards))
                .isInstanceOf(IllegalTransitionException.class)
                .hasMessageContaining("g-1").hasMessageContaining("COMMITTING").hasMessageContaining("ABORTING");
        assertThat(store.find("g-1")).contains(committing);
    }

    @Test
    void compareAndSetRefusesAValueForAnotherTransaction() {
        GlobalTransaction a = begun("g-a");
        GlobalTransaction b = begun("g-b");

        assertThatThrownBy(() -> store.compareAndSet(a, b.leasedTo("node-a", T0.plusSeconds(1), T0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("g-a").hasMessageContaining("g-b");
        assertThat(store.find("g-a")).contains(a);
        assertThat(store.find("g-b")).contains(b);
    }

    @Test
    void updateBranchRefusesAnIllegalTransition() {
        begun("g-1");
        BranchRecord b = branch("g-1", "pay");
        store.addBranch(b, ACTIVE);
        BranchRecord confirmed = b.attempted(BranchStatus.CONFIRMED, null, T0);
        store.updateBranch(b, confirmed);
        BranchRecord cancelled = new BranchRecord("g-1", "pay", BranchStatus.CANCELLED, b.operations(),
                confirmed.attempts() + 1, null, T0, T0);

        assertThatThrownBy(() -> store.updateBranch(confirmed, cancelled))
                .isInstanceOf(IllegalTransitionException.class)
                .hasMessageContaining("pay").hasMessageContaining("g-1");
        assertThat(store.branches("g-1")).containsExactly(confirmed);
    }

    @Test
    void badArgumentsAreRefusedWithTheirValues() {
        assertThatThrownBy(() -> store.list(null, null, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was 0");
        assertThatThrownBy(() -> store.claimDue("node-a", T0, T0.plusSeconds(1), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("was 0");
        assertThatThrownBy(() -> store.claimDue("node-a", T0, T0, 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be after now");
        assertThatThrownBy(() -> store.claimDue(" ", T0, T0.plusSeconds(1), 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("owner");
    }

    @Test
    void aFailureNamesTheOperationTheIdsAndTheDatabase() {
        store.close();

        assertThatThrownBy(() -> store.addBranch(branch("g-7", "pay"), ACTIVE))
                .isInstanceOf(JdbcStoreException.class)
                .hasMessageContaining("pay").hasMessageContaining("g-7").hasMessageContaining("ACTIVE")
                .hasMessageContaining(expectedName()).hasMessageContaining(database().name());
    }

    @Test
    void openingTwiceOnAnExistingSchemaIsHarmless() {
        GlobalTransaction tx = begun("g-1");

        try (JdbcTransactionStore again = JdbcTransactionStore.open(database().config())) {
            assertThat(again.find("g-1")).contains(tx);
        }
    }

    @Test
    void openFailsAtOnceNamingTheUnreachableDatabase() {
        String url = database().config().url().replaceFirst(":(5432|3306)/", ":1/");

        assertThatThrownBy(() -> JdbcTransactionStore.open(JdbcStoreConfig.of(url, "nobody", "secret")))
                .isInstanceOf(JdbcStoreException.class)
                .hasMessageContaining("127.0.0.1:1/").hasMessageContaining("nobody")
                .hasMessageNotContaining("secret");
    }
}
