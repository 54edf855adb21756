package dev.pactum.core.store;

import dev.pactum.api.BranchStatus;
import dev.pactum.api.GlobalStatus;
import dev.pactum.api.TxPattern;
import dev.pactum.core.model.BranchRecord;
import dev.pactum.core.testkit.TestBranches;
import dev.pactum.core.model.GlobalTransaction;
import dev.pactum.core.spi.AddBranchResult;
import dev.pactum.core.spi.BeginResult;
import dev.pactum.core.spi.BranchUpdate;
import dev.pactum.core.spi.TransactionStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.pactum.api.GlobalStatus.ABORTED;
import static dev.pactum.api.GlobalStatus.ABORTING;
import static dev.pactum.api.GlobalStatus.ACTIVE;
import static dev.pactum.api.GlobalStatus.PREPARING;
import static dev.pactum.api.GlobalStatus.COMMITTED;
import static dev.pactum.api.GlobalStatus.COMMITTING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The behaviour every {@link TransactionStore} must show. A store module extends this class, says how to get a
 * fresh empty store and how to open a closed one again, and inherits every test.
 *
 * <p>Rules the tests follow so that every store can pass them honestly:
 * <ul>
 *   <li>Instants are built at millisecond precision: a store may truncate to milliseconds.</li>
 *   <li>No sleeps and no wall clock: "now" is always an explicit Instant, as the coordinator passes it.</li>
 *   <li>Races start together behind a latch and assert only what must hold for every interleaving.</li>
 *   <li>Ids are what {@code Ids.checkId} accepts: up to 64 of letters, digits and {@code . _ : -}.</li>
 * </ul>
 */
public abstract class TransactionStoreContract {

    /** A fixed "now" far from the wall clock, with a millisecond part so truncation would show. */
    protected static final Instant T0 = Instant.parse("2030-03-04T05:06:07.089Z");
    private static final int RACERS = 8;

    /** The store under test; opened before and closed after every test. */
    protected TransactionStore store;

    /** A new store with no transactions in it, independent of stores made for other tests. */
    protected abstract TransactionStore newStore();

    /**
     * Opens again the data of {@code closed}, which the test has just closed, as a restarted coordinator would.
     * The returned store is closed after the test.
     */
    protected abstract TransactionStore reopen(TransactionStore closed);

    @BeforeEach
    void openStore() {
        store = newStore();
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    // ---------------------------------------------------------------- begin and find

    @Test
    void beginStoresANewTransactionThatFindReturns() {
        GlobalTransaction tx = tx("g-1");

        BeginResult r = store.begin(tx);

        assertThat(r.created()).isTrue();
        assertThat(r.transaction()).isEqualTo(tx);
        assertThat(store.find("g-1")).contains(tx);
        assertThat(store.branches("g-1")).isEmpty();
    }

    @Test
    void beginOfATakenGidAnswersTheStoredTransactionAndChangesNothing() {
        GlobalTransaction first = begun("g-1");
        GlobalTransaction committing = cas(first, first.moveTo(COMMITTING, "submitted", T0.plusMillis(1), "node-a",
                T0.plusSeconds(30)));

        BeginResult again = store.begin(GlobalTransaction.begin("g-1", TxPattern.TCC, T0.plusSeconds(5),
                T0.plusSeconds(99)));

        assertThat(again.created()).isFalse();
        assertThat(again.transaction()).isEqualTo(committing);
        assertThat(store.find("g-1")).contains(committing);
    }

    @Test
    void beginWithBranchesStoresThemInOrderAtVersionZeroAndLaterBranchesFollow() {
        GlobalTransaction tx = tx("g-1");
        BranchRecord ship = branch("g-1", "ship");
        BranchRecord pay = branch("g-1", "pay");

        BeginResult r = store.begin(tx, List.of(ship, pay));

        assertThat(r.created()).isTrue();
        assertThat(store.find("g-1")).contains(tx);
        assertThat(store.branches("g-1")).containsExactly(ship, pay);
        assertThat(store.addBranch(pay, ACTIVE)).isInstanceOf(AddBranchResult.Duplicate.class);
        BranchRecord notify = branch("g-1", "notify");
        assertThat(store.addBranch(notify, ACTIVE)).isInstanceOf(AddBranchResult.Added.class);
        assertThat(store.branches("g-1")).containsExactly(ship, pay, notify);
        assertThat(store.find("g-1")).map(GlobalTransaction::version).contains(1L);
    }

    @Test
    void aRepeatedBeginWithBranchesAddsNoBranch() {
        store.begin(tx("g-1"), List.of(branch("g-1", "pay")));

        BeginResult again = store.begin(tx("g-1"), List.of(branch("g-1", "other"), branch("g-1", "more")));

        assertThat(again.created()).isFalse();
        assertThat(store.branches("g-1")).extracting(BranchRecord::branchId).containsExactly("pay");
    }

    @Test
    void beginWithBranchesThatAreNotNewBranchesOfItIsRefusedAndStoresNothing() {
        BranchRecord foreign = branch("g-2", "pay");
        BranchRecord pay = branch("g-1", "pay");
        BranchRecord tried = pay.attempted(BranchStatus.REGISTERED, "503", T0);
        for (List<BranchRecord> bad : List.of(List.of(foreign), List.of(pay, pay), List.of(tried))) {
            assertThatThrownBy(() -> store.begin(tx("g-1"), bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("g-1");
            assertThat(store.find("g-1")).isEmpty();
            assertThat(store.branches("g-1")).isEmpty();
        }
    }

    @Test
    void branchesOfABeginSurviveCloseAndReopen() {
        store.begin(tx("g-1"), List.of(branch("g-1", "b"), branch("g-1", "a")));
        store.close();
        TransactionStore closed = store;
        store = null;
        store = reopen(closed);
        assertThat(store.branches("g-1")).extracting(BranchRecord::branchId).containsExactly("b", "a");
        assertThat(store.addBranch(branch("g-1", "c"), ACTIVE)).isInstanceOf(AddBranchResult.Added.class);
        assertThat(store.branches("g-1")).extracting(BranchRecord::branchId).containsExactly("b", "a", "c");
    }

    @Test
    void aMessagesKeyAndHeadersAreStoredWithItsOperationAndSurviveReopen() {
        java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();
        headers.put("type", "order-paid");
        headers.put("Content-Type", "application/json");
        BranchRecord m = BranchRecord.register("g-1", "m", List.of(new dev.pactum.api.Operation("deliver",
                "kafka://broker:9092/orders", "{\"order\":1}", "order-1", headers),
                dev.pactum.api.Operation.of("check", "http://svc/check")), T0);
        store.begin(GlobalTransaction.begin("g-1", TxPattern.MSG, T0, T0.plusSeconds(60)), List.of(m));
        store.close();
        TransactionStore closed = store;
        store = null;
        store = reopen(closed);
        BranchRecord read = store.branches("g-1").getFirst();
        assertThat(read).isEqualTo(m);
        assertThat(read.operation("deliver").key()).isEqualTo("order-1");
        assertThat(read.operation("deliver").headers()).containsExactlyEntriesOf(headers);
        assertThat(read.operation("check").key()).isNull();
        assertThat(read.operation("check").headers()).isNull();
    }

    /** Begins an MSG transaction whose branches deliver to kafka://k/t with these keys (null: no key); returns it. */
    private GlobalTransaction keyedMessage(String gid, String... keys) {
        List<BranchRecord> branches = new ArrayList<>();
        for (int i = 0; i < keys.length; i++) {
            branches.add(BranchRecord.register(gid, "m" + i, List.of(new dev.pactum.api.Operation("deliver",
                    "kafka://k/t", "p", keys[i], null), dev.pactum.api.Operation.of("check", "http://svc/check")), T0));
        }
        GlobalTransaction tx = GlobalTransaction.begin(gid, TxPattern.MSG, T0, T0.plusSeconds(60));
        assertThat(store.begin(tx, branches).created()).isTrue();
        return tx;
    }

    /** Decides {@code tx}'s commit with all its keyed branches appended to their lanes. */
    private GlobalTransaction commitInOrder(GlobalTransaction tx) {
        List<BranchRecord> keyed = store.branches(tx.gid()).stream().filter(b -> b.lane() != null).toList();
        return store.compareAndSet(tx, tx.moveTo(COMMITTING, null, T0.plusMillis(1), "n1", T0.plusSeconds(30)), keyed)
                .orElseThrow();
    }

    private void deliver(String gid, String branchId) {
        BranchRecord b = store.branches(gid).stream().filter(r -> r.branchId().equals(branchId)).findFirst().orElseThrow();
        assertThat(store.updateBranch(b, b.attempted(BranchStatus.CONFIRMED, null, T0.plusMillis(2)))).isTrue();
    }

    private Optional<String> head(String key) {
        return store.laneHead(BranchRecord.laneOf("kafka://k/t", key)).map(e -> e.gid() + "/" + e.branchId());
    }

    @Test
    void aLaneHoldsItsUndeliveredMessagesInDecisionOrderAndEachLeavesWhenDelivered() {
        GlobalTransaction a = keyedMessage("g-a", "k1");
        GlobalTransaction b = keyedMessage("g-b", "k1");
        GlobalTransaction c = keyedMessage("g-c", "k1", "k2", null);
        assertThat(head("k1")).isEmpty();
        commitInOrder(b);
        commitInOrder(c);
        commitInOrder(a);
        assertThat(head("k1")).contains("g-b/m0");
        assertThat(head("k2")).contains("g-c/m1");
        assertThat(head("other")).isEmpty();

        BranchRecord bm = store.branches("g-b").getFirst();
        assertThat(store.updateBranch(bm, bm.attempted(BranchStatus.REGISTERED, "503", T0))).isTrue();
        assertThat(head("k1")).as("a failed delivery stays at the head").contains("g-b/m0");
        deliver("g-b", "m0");
        assertThat(head("k1")).contains("g-c/m0");
        deliver("g-c", "m1");
        assertThat(head("k2")).isEmpty();
        assertThat(head("k1")).contains("g-c/m0");

        store.close();
        TransactionStore closed = store;
        store = null;
        store = reopen(closed);
        assertThat(head("k1")).as("lanes survive a restart").contains("g-c/m0");
        deliver("g-c", "m0");
        assertThat(head("k1")).contains("g-a/m0");
        GlobalTransaction d = keyedMessage("g-d", "k1");
        commitInOrder(d);
        deliver("g-a", "m0");
        assertThat(head("k1")).as("a decision after the restart comes after the ones before it").contains("g-d/m0");
        deliver("g-d", "m0");
        assertThat(head("k1")).isEmpty();
    }

    @Test
    void twoMessagesOfOneTransactionInOneLaneKeepTheirRegistrationOrder() {
        commitInOrder(keyedMessage("g-1", "k1", "k1"));
        assertThat(head("k1")).contains("g-1/m0");
        deliver("g-1", "m0");
        assertThat(head("k1")).contains("g-1/m1");
    }

    @Test
    void aLostCompareAndSetPutsNothingInALane() {
        GlobalTransaction a = keyedMessage("g-1", "k1");
        GlobalTransaction stale = a.withVersion(a.version() + 7);
        List<BranchRecord> keyed = store.branches("g-1");
        assertThat(store.compareAndSet(stale, stale.moveTo(COMMITTING, null, T0, "n1", T0.plusSeconds(30)), keyed))
                .isEmpty();
        assertThat(head("k1")).isEmpty();
        assertThat(store.find("g-1").orElseThrow().status()).isEqualTo(ACTIVE);
    }

    @Test
    void concurrentDecisionsOfOneLaneEachGetOnePlaceAndTheLaneEmptiesInThatOrder() throws Exception {
        List<GlobalTransaction> txs = new ArrayList<>();
        for (int i = 0; i < RACERS; i++) {
            txs.add(keyedMessage("g-" + i, "k1", "other-" + i));
        }
        race(i -> commitInOrder(txs.get(i)));
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < RACERS; i++) {
            String h = head("k1").orElseThrow();
            assertThat(seen.add(h)).as("each decision once in the lane: " + h).isTrue();
            deliver(h.substring(0, h.indexOf('/')), "m0");
        }
        assertThat(head("k1")).isEmpty();
        assertThat(seen).hasSize(RACERS);
    }

    @Test
    void concurrentBeginsOfOneGidCreateItOnce() throws Exception {
        List<BeginResult> results = race(i -> store.begin(GlobalTransaction.begin("g-race", TxPattern.TCC,
                T0.plusMillis(i), T0.plusSeconds(60))));

        assertThat(results).filteredOn(BeginResult::created).hasSize(1);
        GlobalTransaction winner = results.stream().filter(BeginResult::created).findFirst().orElseThrow().transaction();
        assertThat(results).allSatisfy(r -> assertThat(r.transaction()).isEqualTo(winner));
        assertThat(store.find("g-race")).contains(winner);
    }

    @Test
    void findAndBranchesOfAnUnknownGidAreEmpty() {
        begun("g-1");

        assertThat(store.find("g-2")).isEmpty();
        assertThat(store.branches("g-2")).isEmpty();
    }

    /** Regression guard for case-insensitive collations (MySQL's default), which would merge these two. */
    @Test
    void gidsThatDifferOnlyInCaseAreDifferentTransactions() {
        assertThat(store.begin(tx("order-A")).created()).isTrue();
        assertThat(store.begin(tx("order-a")).created()).isTrue();

        assertThat(store.find("order-A")).map(GlobalTransaction::gid).contains("order-A");
        assertThat(store.find("order-a")).map(GlobalTransaction::gid).contains("order-a");
        assertThat(store.list(null, null, 10)).extracting(GlobalTransaction::gid).containsExactly("order-A", "order-a");
    }

    // ---------------------------------------------------------------- addBranch

    @Test
    void addBranchAddsItAndBumpsTheGlobalVersion() {
        GlobalTransaction tx = begun("g-1");
        BranchRecord b = branch("g-1", "pay");

        AddBranchResult r = store.addBranch(b, ACTIVE);

        assertThat(r).isEqualTo(new AddBranchResult.Added(b));
        assertThat(store.branches("g-1")).containsExactly(b);
        assertThat(store.find("g-1")).contains(tx.withVersion(tx.version() + 1));
    }

    @Test
    void branchesComeInRegistrationOrderNotInIdOrder() {
        begun("g-1");
        begun("g-2");
        List<String> ids = List.of("z", "a", "m", "b10", "b2", "B1");
        for (String id : ids) {
            assertThat(store.addBranch(branch("g-1", id), ACTIVE)).isInstanceOf(AddBranchResult.Added.class);
            assertThat(store.addBranch(branch("g-2", "other-" + id), ACTIVE)).isInstanceOf(AddBranchResult.Added.class);
        }

        assertThat(store.branches("g-1")).extracting(BranchRecord::branchId).containsExactlyElementsOf(ids);
        assertThat(store.find("g-1").orElseThrow().version()).isEqualTo(ids.size());
    }

    @Test
    void addingABranchTwiceAnswersTheExistingOneAndChangesNothing() {
        begun("g-1");
        BranchRecord original = branch("g-1", "pay");
        store.addBranch(original, ACTIVE);
        GlobalTransaction before = store.find("g-1").orElseThrow();
        BranchRecord again = TestBranches.tcc("g-1", "pay", null, "http://elsewhere/c", "http://elsewhere/x",
                T0.plusSeconds(3));

        AddBranchResult r = store.addBranch(again, ACTIVE);

        assertThat(r).isEqualTo(new AddBranchResult.Duplicate(original));
        assertThat(store.branches("g-1")).containsExactly(original);
        assertThat(store.find("g-1")).contains(before);
    }

    @Test
    void addBranchToAnUnknownTransactionIsRefusedAndStoresNothing() {
        begun("g-1");

        AddBranchResult r = store.addBranch(branch("g-404", "pay"), ACTIVE);

        assertThat(r).isEqualTo(new AddBranchResult.NoSuchTransaction());
        assertThat(store.branches("g-404")).isEmpty();
        assertThat(store.find("g-404")).isEmpty();
    }

    @Test
    void addBranchInAnotherStatusIsRefusedWithTheStoredStatusAndChangesNothing() {
        GlobalTransaction tx = begun("g-1");
        GlobalTransaction aborting = cas(tx, tx.moveTo(ABORTING, "client", T0, "node-a", T0.plusSeconds(30)));

        AddBranchResult r = store.addBranch(branch("g-1", "late"), ACTIVE);

        assertThat(r).isEqualTo(new AddBranchResult.WrongStatus(ABORTING));
        assertThat(store.branches("g-1")).isEmpty();
        assertThat(store.find("g-1")).contains(aborting);
    }

    @Test
    void addBranchHonoursTheRequiredStatusWhateverItIs() {
        GlobalTransaction tx = begun("g-1");
        cas(tx, tx.moveTo(COMMITTING, null, T0, "node-a", T0.plusSeconds(30)));
        BranchRecord b = branch("g-1", "late");

        assertThat(store.addBranch(b, COMMITTING)).isEqualTo(new AddBranchResult.Added(b));
        assertThat(store.branches("g-1")).containsExactly(b);
    }

    @Test
    void oneBranchIdMayBeUsedByDifferentTransactions() {
        begun("g-1");
        begun("g-2");
        BranchRecord b1 = branch("g-1", "pay");
        BranchRecord b2 = branch("g-2", "pay");

        assertThat(store.addBranch(b1, ACTIVE)).isEqualTo(new AddBranchResult.Added(b1));
        assertThat(store.addBranch(b2, ACTIVE)).isEqualTo(new AddBranchResult.Added(b2));
        assertThat(store.branches("g-1")).containsExactly(b1);
        assertThat(store.branches("g-2")).containsExactly(b2);
    }

    @Test
    void concurrentAddsOfOneBranchAddItOnce() throws Exception {
        GlobalTransaction tx = begun("g-1");

        List<AddBranchResult> results = race(i -> store.addBranch(
                TestBranches.tcc("g-1", "pay", null, "http://c/" + i, "http://x/" + i, T0), ACTIVE));

        assertThat(results).filteredOn(AddBranchResult.Added.class::isInstance).hasSize(1);
        BranchRecord winner = results.stream().filter(AddBranchResult.Added.class::isInstance)
                .map(r -> ((AddBranchResult.Added) r).branch()).findFirst().orElseThrow();
        assertThat(results).filteredOn(AddBranchResult.Duplicate.class::isInstance)
                .hasSize(RACERS - 1)
                .allSatisfy(r -> assertThat(((AddBranchResult.Duplicate) r).existing()).isEqualTo(winner));
        assertThat(store.branches("g-1")).containsExactly(winner);
        assertThat(store.find("g-1").orElseThrow().version()).isEqualTo(tx.version() + 1);
    }

    /**
     * The point of the version bump: a decision computed before a branch joined must not win. For every
     * interleaving exactly one of the two succeeds, and the stored state agrees with the one that did.
     */
    @Test
    void aBranchAndADecisionRacingNeverBothSucceed() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int i = 0; i < 20; i++) {
                String gid = "g-" + i;
                GlobalTransaction snapshot = begun(gid);
                BranchRecord b = branch(gid, "late");
                CountDownLatch start = new CountDownLatch(1);
                Future<AddBranchResult> add = pool.submit(() -> {
                    start.await();
                    return store.addBranch(b, ACTIVE);
                });
                Future<Optional<GlobalTransaction>> decide = pool.submit(() -> {
                    start.await();
                    return store.compareAndSet(snapshot, snapshot.moveTo(COMMITTING, "submitted", T0, "node-a",
                            T0.plusSeconds(30)));
                });
                start.countDown();
                AddBranchResult added = add.get(30, TimeUnit.SECONDS);
                Optional<GlobalTransaction> decided = decide.get(30, TimeUnit.SECONDS);

                if (decided.isPresent()) {
                    assertThat(added).as("round %d", i).isEqualTo(new AddBranchResult.WrongStatus(COMMITTING));
                    assertThat(store.branches(gid)).isEmpty();
                    assertThat(store.find(gid)).contains(decided.get());
                } else {
                    assertThat(added).as("round %d", i).isEqualTo(new AddBranchResult.Added(b));
                    assertThat(store.branches(gid)).containsExactly(b);
                    assertThat(store.find(gid).orElseThrow().status()).isEqualTo(ACTIVE);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ---------------------------------------------------------------- compareAndSet

    @Test
    void compareAndSetReplacesEveryFieldAndReturnsTheStoredValueWithTheNextVersion() {
        GlobalTransaction tx = begun("g-1");
        GlobalTransaction updated = tx.moveTo(COMMITTING, "submitted", T0.plusMillis(250), "node-a", T0.plusSeconds(30));

        Optional<GlobalTransaction> stored = store.compareAndSet(tx, updated);

        assertThat(stored).contains(updated.withVersion(tx.version() + 1));
        assertThat(store.find("g-1")).isEqualTo(stored);
    }

    @Test
    void compareAndSetChainsVersionsOneByOne() {
        GlobalTransaction tx = begun("g-1");
        GlobalTransaction v1 = cas(tx, tx.leasedTo("node-a", T0.plusSeconds(30), T0.plusMillis(1)));
        GlobalTransaction v2 = cas(v1, v1.moveTo(ABORTING, "timeout", T0.plusMillis(2), "node-a", T0.plusSeconds(31)));
        GlobalTransaction v3 = cas(v2, v2.rescheduled(T0.plusSeconds(40), T0.plusMillis(3)));
        GlobalTransaction v4 = cas(v3, v3.moveTo(ABORTED, null, T0.plusMillis(4), null, null));

        assertThat(List.of(v1, v2, v3, v4)).extracting(GlobalTransaction::version).containsExactly(1L, 2L, 3L, 4L);
        assertThat(v4.reason()).isEqualTo("timeout");
        assertThat(v4.nextAttemptAt()).isNull();
        assertThat(v4.owner()).isNull();
        assertThat(v4.leaseUntil()).isNull();
        assertThat(store.find("g-1")).contains(v4);
    }

    @Test
    void compareAndSetWithAStaleVersionFailsAndChangesNothing() {
        GlobalTransaction tx = begun("g-1");
        GlobalTransaction leased = cas(tx, tx.leasedTo("node-a", T0.plusSeconds(30), T0.plusMillis(1)));

        // Same status as stored, older version: someone else's decision was taken from a stale read.
        Optional<GlobalTransaction> r = store.compareAndSet(tx, tx.moveTo(COMMITTING, "submitted", T0.plusMillis(2),
                "node-b", T0.plusSeconds(30)));

        assertThat(r).isEmpty();
        assertThat(store.find("g-1")).contains(leased);
    }

    @Test
    void compareAndSetWithTheRightVersionButAnotherStatusFailsAndChangesNothing() {
        GlobalTransaction tx = begun("g-1");
        GlobalTransaction committing = cas(tx, tx.moveTo(COMMITTING, null, T0, "node-a", T0.plusSeconds(30)));
        // Claims to be ACTIVE at the stored version: only the status differs.
        GlobalTransaction wrongStatus = tx.withVersion(committing.version());

        Optional<GlobalTransaction> r = store.compareAndSet(wrongStatus, wrongStatus.moveTo(ABORTING, "client", T0,
                "node-b", T0.plusSeconds(30)));

        assertThat(r).isEmpty();
        assertThat(store.find("g-1")).contains(committing);
    }

    @Test
    void compareAndSetOfAnUnknownTransactionFailsAndCreatesNothing() {
        GlobalTransaction ghost = tx("g-404");

        assertThat(store.compareAndSet(ghost, ghost.leasedTo("node-a", T0.plusSeconds(1), T0))).isEmpty();
        assertThat(store.find("g-404")).isEmpty();
        assertThat(store.countUnfinished()).isZero();
    }

    @Test
    void concurrentCompareAndSetsFromOneVersionHaveExactlyOneWinner() throws Exception {
        GlobalTransaction tx = begun("g-1");

        List<Optional<GlobalTransaction>> results = race(i -> store.compareAndSet(tx,
                tx.moveTo(i % 2 == 0 ? COMMITTING : ABORTING, "racer-" + i, T0.plusMillis(i), "node-" + i,
                        T0.plusSeconds(30))));

        List<GlobalTransaction> winners = results.stream().flatMap(Optional::stream).toList();
        assertThat(winners).hasSize(1);
        assertThat(winners.getFirst().version()).isEqualTo(tx.version() + 1);
        assertThat(store.find("g-1")).contains(winners.getFirst());
    }

    // ---------------------------------------------------------------- updateBranch

    @Test
    void updateBranchSucceedsWhenStatusAndAttemptsMatch() {
        begun("g-1");
        BranchRecord b = branch("g-1", "pay");
        store.addBranch(b, ACTIVE);
        BranchRecord failedOnce = b.attempted(BranchStatus.REGISTERED, "HTTP 503", T0.plusSeconds(1));
        BranchRecord confirmed = failedOnce.attempted(BranchStatus.CONFIRMED, null, T0.plusSeconds(2));

        assertThat(store.updateBranch(b, failedOnce)).isTrue();
        assertThat(store.branches("g-1")).containsExactly(failedOnce);
        assertThat(store.updateBranch(failedOnce, confirmed)).isTrue();
        assertThat(store.branches("g-1")).containsExactly(confirmed);
    }

    @Test
    void updateBranchWithStaleAttemptsFailsAndChangesNothing() {
        begun("g-1");
        BranchRecord b = branch("g-1", "pay");
        store.addBranch(b, ACTIVE);
        BranchRecord failedOnce = b.attempted(BranchStatus.REGISTERED, "HTTP 503", T0.plusSeconds(1));
        store.updateBranch(b, failedOnce);

        assertThat(store.updateBranch(b, b.attempted(BranchStatus.CONFIRMED, null, T0.plusSeconds(2)))).isFalse();
        assertThat(store.branches("g-1")).containsExactly(failedOnce);
    }

    @Test
    void updateBranchWithAnotherStatusFailsAndChangesNothing() {
        begun("g-1");
        BranchRecord b = branch("g-1", "pay");
        store.addBranch(b, ACTIVE);
        BranchRecord confirmed = b.attempted(BranchStatus.CONFIRMED, null, T0.plusSeconds(1));
        store.updateBranch(b, confirmed);
        // REGISTERED with the attempt count that is now stored: only the status differs.
        BranchRecord wrongStatus = new BranchRecord("g-1", "pay", BranchStatus.REGISTERED, b.operations(),
                confirmed.attempts(), null, b.createdAt(), b.updatedAt());

        assertThat(store.updateBranch(wrongStatus, wrongStatus.attempted(BranchStatus.CANCELLED, null,
                T0.plusSeconds(2)))).isFalse();
        assertThat(store.branches("g-1")).containsExactly(confirmed);
    }

    @Test
    void updateBranchOfAnUnknownBranchFailsAndCreatesNothing() {
        begun("g-1");
        BranchRecord ghost = branch("g-1", "ghost");

        assertThat(store.updateBranch(ghost, ghost.attempted(BranchStatus.CONFIRMED, null, T0))).isFalse();
        assertThat(store.branches("g-1")).isEmpty();
    }

    /**
     * The TCC processor records branch outcomes and then compare-and-sets the transaction it read before: a
     * store that bumped the global version on a branch update would make every phase 2 lose its own CAS.
     */
    @Test
    void updateBranchLeavesTheGlobalTransactionAlone() {
        begun("g-1");
        BranchRecord b = branch("g-1", "pay");
        store.addBranch(b, ACTIVE);
        GlobalTransaction before = store.find("g-1").orElseThrow();

        store.updateBranch(b, b.attempted(BranchStatus.REGISTERED, "HTTP 503", T0.plusSeconds(1)));

        assertThat(store.find("g-1")).contains(before);
    }

    @Test
    void concurrentBranchUpdatesFromOneAttemptCountHaveExactlyOneWinner() throws Exception {
        begun("g-1");
        BranchRecord b = branch("g-1", "pay");
        store.addBranch(b, ACTIVE);

        List<Boolean> results = race(i -> store.updateBranch(b,
                b.attempted(BranchStatus.REGISTERED, "racer-" + i, T0.plusMillis(i))));

        assertThat(results).filteredOn(Boolean::booleanValue).hasSize(1);
        BranchRecord stored = store.branches("g-1").getFirst();
        assertThat(stored.attempts()).isEqualTo(1);
        assertThat(stored.lastError()).isEqualTo("racer-" + results.indexOf(true));
    }

    // ---------------------------------------------------------------- updateBranchesAndSet

    /** The end of a phase-2 round: every branch acknowledged and the final status, in one call. */
    @Test
    void updateBranchesAndSetRecordsEveryBranchThenTheMove() {
        GlobalTransaction committing = committingWithTwoBranches("g-r1");
        List<BranchRecord> bs = store.branches("g-r1");
        List<BranchUpdate> acks = bs.stream()
                .map(b -> new BranchUpdate(b, b.attempted(BranchStatus.CONFIRMED, null, T0.plusSeconds(2)))).toList();
        GlobalTransaction done = committing.moveTo(GlobalStatus.COMMITTED, null, T0.plusSeconds(2), null, null);

        Optional<GlobalTransaction> stored = store.updateBranchesAndSet(acks, committing, done);

        assertThat(stored).contains(done.withVersion(committing.version() + 1));
        assertThat(store.find("g-r1")).isEqualTo(stored);
        assertThat(store.branches("g-r1")).containsExactlyElementsOf(acks.stream().map(BranchUpdate::updated).toList());
        assertThat(store.countUnfinished()).isZero();
    }

    /** A round whose messages were all delivered, in one call: each keyed one leaves its lane, as one by one. */
    @Test
    void updateBranchesAndSetTakesDeliveredKeyedMessagesOutOfTheirLanes() {
        GlobalTransaction a = commitInOrder(keyedMessage("g-l1", "k1", "k2"));
        commitInOrder(keyedMessage("g-l2", "k1"));
        assertThat(head("k1")).contains("g-l1/m0");
        List<BranchUpdate> acks = store.branches("g-l1").stream()
                .map(b -> new BranchUpdate(b, b.attempted(BranchStatus.CONFIRMED, null, T0.plusSeconds(2)))).toList();

        assertThat(store.updateBranchesAndSet(acks, a, a.moveTo(GlobalStatus.COMMITTED, null, T0.plusSeconds(2),
                null, null))).isPresent();

        assertThat(head("k1")).as("the next message of k1 is at the head").contains("g-l2/m0");
        assertThat(head("k2")).isEmpty();
        store.close();
        TransactionStore closed = store;
        store = null;
        store = reopen(closed);
        assertThat(head("k1")).as("and stays there after a restart").contains("g-l2/m0");
    }

    /** A branch another writer recorded first: the move is not made, the other branch's answer is, as one by one. */
    @Test
    void updateBranchesAndSetWithAStaleBranchRecordsTheOthersAndDoesNotMove() {
        GlobalTransaction committing = committingWithTwoBranches("g-r2");
        List<BranchRecord> bs = store.branches("g-r2");
        BranchRecord otherWriter = bs.get(0).attempted(BranchStatus.CONFIRMED, null, T0.plusSeconds(1));
        assertThat(store.updateBranch(bs.get(0), otherWriter)).isTrue();
        List<BranchUpdate> acks = bs.stream()
                .map(b -> new BranchUpdate(b, b.attempted(BranchStatus.CONFIRMED, "mine", T0.plusSeconds(2)))).toList();

        assertThat(store.updateBranchesAndSet(acks, committing, committing.moveTo(GlobalStatus.COMMITTED, null,
                T0.plusSeconds(2), null, null))).isEmpty();
        assertThat(store.find("g-r2")).contains(committing);
        assertThat(store.branches("g-r2")).containsExactly(otherWriter, acks.get(1).updated());
    }

    /** A transaction another writer moved first: the branch answers are recorded, the move is not made. */
    @Test
    void updateBranchesAndSetWithAStaleTransactionRecordsTheBranchesAndDoesNotMove() {
        GlobalTransaction committing = committingWithTwoBranches("g-r3");
        GlobalTransaction claimed = store.claimDue("other", T0.plusSeconds(100), T0.plusSeconds(130), 10).stream()
                .filter(t -> t.gid().equals("g-r3")).findFirst().orElseThrow();
        List<BranchUpdate> acks = store.branches("g-r3").stream()
                .map(b -> new BranchUpdate(b, b.attempted(BranchStatus.CONFIRMED, null, T0.plusSeconds(2)))).toList();

        assertThat(store.updateBranchesAndSet(acks, committing, committing.moveTo(GlobalStatus.COMMITTED, null,
                T0.plusSeconds(2), null, null))).isEmpty();
        assertThat(store.find("g-r3")).contains(claimed);
        assertThat(store.branches("g-r3")).containsExactlyElementsOf(acks.stream().map(BranchUpdate::updated).toList());
    }

    /**
     * Read-your-writes for the writes that need not be durable (a branch's attempt, a reschedule, a lease, the final
     * status with the branch answers): each is seen by the very next read, list, begin and compare-and-set of the
     * same transaction, with no pause between, whatever a store does to make them cheap (the embedded store queues
     * them without waiting for its writer), and every one is there after a reopen.
     */
    @Test
    void everyLazyWriteIsSeenAtOnceByTheNextReadAndCompareAndSetOfItsTransaction() {
        List<GlobalTransaction> finals = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String gid = "g-ryw-" + i;
            GlobalTransaction committing = committingWithTwoBranches(gid);
            List<BranchRecord> bs = store.branches(gid);
            BranchRecord failed = bs.get(1).attempted(BranchStatus.REGISTERED, "HTTP 503", T0.plusSeconds(2));
            assertThat(store.updateBranch(bs.get(1), failed)).isTrue();
            assertThat(store.branches(gid)).containsExactly(bs.get(0), failed);
            GlobalTransaction later = cas(committing, committing.rescheduled(T0.plusSeconds(3), T0.plusSeconds(2)));
            assertThat(store.find(gid)).contains(later);
            GlobalTransaction claimed = store.claimDue("node-b", T0.plusSeconds(3), T0.plusSeconds(33), 1000).stream()
                    .filter(t -> t.gid().equals(gid)).findFirst().orElseThrow();
            assertThat(claimed.version()).isEqualTo(later.version() + 1);
            assertThat(store.find(gid)).contains(claimed);
            List<BranchUpdate> acks = List.of(
                    new BranchUpdate(bs.get(0), bs.get(0).attempted(BranchStatus.CONFIRMED, null, T0.plusSeconds(4))),
                    new BranchUpdate(failed, failed.attempted(BranchStatus.CONFIRMED, null, T0.plusSeconds(4))));
            GlobalTransaction done = store.updateBranchesAndSet(acks, claimed,
                    claimed.moveTo(COMMITTED, null, T0.plusSeconds(4), null, null)).orElseThrow();
            assertThat(store.find(gid)).contains(done);
            assertThat(store.branches(gid)).containsExactly(acks.get(0).updated(), acks.get(1).updated());
            assertThat(store.begin(tx(gid)).transaction()).isEqualTo(done);
            assertThat(store.compareAndSet(claimed, claimed.rescheduled(T0.plusSeconds(9), T0.plusSeconds(4))))
                    .as("a compare-and-set from the version before the final write loses").isEmpty();
            finals.add(done);
        }
        assertThat(store.list(COMMITTED, null, 1000)).containsExactlyInAnyOrderElementsOf(finals);
        assertThat(store.list(COMMITTING, null, 1000)).isEmpty();
        assertThat(store.countUnfinished()).isZero();

        store.close();
        TransactionStore closed = store;
        store = null;
        store = reopen(closed);
        assertThat(store.list(COMMITTED, null, 1000)).containsExactlyInAnyOrderElementsOf(finals);
        assertThat(store.branches("g-ryw-7")).extracting(BranchRecord::status)
                .containsExactly(BranchStatus.CONFIRMED, BranchStatus.CONFIRMED);
    }

    private GlobalTransaction committingWithTwoBranches(String gid) {
        GlobalTransaction t = tx(gid);
        assertThat(store.begin(t, List.of(branch(gid, "pay"), branch(gid, "ship"))).created()).isTrue();
        return cas(t, t.moveTo(COMMITTING, "submitted", T0.plusSeconds(1), "node-a", T0.plusSeconds(31)));
    }

    // ---------------------------------------------------------------- list

    @Test
    void listPagesThroughAllTransactionsInGidOrder() {
        List<String> gids = new ArrayList<>(List.of("b", "a", "A", "a-1", "a.1", "a_1", "a:1", "Z9", "9z", "0", "ab",
                "b-1"));
        Collections.shuffle(gids, new Random(42));
        for (String gid : gids) {
            begun(gid);
        }
        List<String> expected = gids.stream().sorted().toList(); // String order: these ids are plain ASCII

        List<String> seen = new ArrayList<>();
        String after = null;
        List<GlobalTransaction> page;
        do {
            page = store.list(null, after, 5);
            assertThat(page).hasSizeLessThanOrEqualTo(5);
            page.forEach(t -> seen.add(t.gid()));
            after = page.isEmpty() ? after : page.getLast().gid();
        } while (page.size() == 5);

        assertThat(seen).containsExactlyElementsOf(expected);
        assertThat(store.list(null, expected.getLast(), 5)).isEmpty();
    }

    @Test
    void listReturnsWholeStoredTransactions() {
        GlobalTransaction tx = begun("g-1");
        GlobalTransaction committing = cas(tx, tx.moveTo(COMMITTING, "submitted", T0, "node-a", T0.plusSeconds(30)));

        assertThat(store.list(null, null, 10)).containsExactly(committing);
    }

    @Test
    void listFiltersByStatusAndPagesWithinIt() {
        for (int i = 0; i < 10; i++) {
            stored(String.format("g-%02d", i), i % 3 == 0 ? ACTIVE : i % 3 == 1 ? COMMITTING : ABORTED, T0, null, null);
        }

        assertThat(store.list(COMMITTING, null, 10)).extracting(GlobalTransaction::gid)
                .containsExactly("g-01", "g-04", "g-07");
        assertThat(store.list(ACTIVE, "g-00", 2)).extracting(GlobalTransaction::gid).containsExactly("g-03", "g-06");
        assertThat(store.list(ACTIVE, "g-06", 2)).extracting(GlobalTransaction::gid).containsExactly("g-09");
        assertThat(store.list(ABORTED, "g-05", 10)).extracting(GlobalTransaction::gid).containsExactly("g-08");
        assertThat(store.list(ABORTING, null, 10)).isEmpty();
        assertThat(store.list(null, null, 100)).hasSize(10);
    }

    @Test
    void listAfterAGidThatDoesNotExistStartsAtTheNextOne() {
        for (String gid : List.of("a", "c", "e")) {
            begun(gid);
        }

        assertThat(store.list(null, "b", 10)).extracting(GlobalTransaction::gid).containsExactly("c", "e");
        assertThat(store.list(null, "c", 1)).extracting(GlobalTransaction::gid).containsExactly("e");
    }

    // ---------------------------------------------------------------- claimDue

    @Test
    void claimDueLeasesOnlyUnfinishedTransactionsWhoseTimeHasCome() {
        Instant now = T0.plusSeconds(100);
        stored("active-due", ACTIVE, now.minusSeconds(1), null, null);
        stored("active-due-now", ACTIVE, now, null, null);
        stored("active-later", ACTIVE, now.plusMillis(1), null, null);
        stored("committing-due", COMMITTING, now.minusSeconds(50), null, null);
        stored("aborting-due", ABORTING, now.minusMillis(1), null, null);
        // Final ones with a stale schedule: a buggy writer must not make a worker drive them again.
        stored("committed", COMMITTED, now.minusSeconds(1), null, null);
        stored("aborted", ABORTED, now.minusSeconds(1), null, null);
        stored("no-schedule", COMMITTED, null, null, null);

        List<GlobalTransaction> claimed = store.claimDue("node-a", now, now.plusSeconds(30), 100);

        assertThat(claimed).extracting(GlobalTransaction::gid)
                .containsExactlyInAnyOrder("active-due", "active-due-now", "committing-due", "aborting-due");
        assertThat(store.claimDue("node-b", now, now.plusSeconds(30), 100)).isEmpty();
    }

    @Test
    void aClaimedTransactionIsStoredAsReturnedWithTheLeaseAndTheNextVersion() {
        Instant now = T0.plusSeconds(100);
        GlobalTransaction due = stored("g-1", COMMITTING, now.minusSeconds(1), null, null);
        Instant until = now.plusSeconds(30);

        List<GlobalTransaction> claimed = store.claimDue("node-a", now, until, 10);

        GlobalTransaction expected = due.leasedTo("node-a", until, now).withVersion(due.version() + 1);
        assertThat(claimed).containsExactly(expected);
        assertThat(store.find("g-1")).contains(expected);
        // The returned value is what a worker compare-and-sets from next.
        assertThat(store.compareAndSet(expected, expected.rescheduled(now.plusSeconds(5), now))).isPresent();
    }

    @Test
    void claimDueRespectsAValidLeaseOfAnotherNode() {
        Instant now = T0.plusSeconds(100);
        GlobalTransaction leased = stored("g-1", COMMITTING, now.minusSeconds(1), "node-b", now.plusMillis(1));

        assertThat(store.claimDue("node-a", now, now.plusSeconds(30), 10)).isEmpty();
        assertThat(store.find("g-1")).contains(leased);
    }

    @Test
    void claimDueGrantsTheLeaseAgainToItsOwner() {
        Instant now = T0.plusSeconds(100);
        stored("g-1", ABORTING, now.minusSeconds(1), "node-a", now.plusSeconds(20));

        List<GlobalTransaction> claimed = store.claimDue("node-a", now, now.plusSeconds(30), 10);

        assertThat(claimed).extracting(GlobalTransaction::gid).containsExactly("g-1");
        assertThat(claimed.getFirst().owner()).isEqualTo("node-a");
        assertThat(claimed.getFirst().leaseUntil()).isEqualTo(now.plusSeconds(30));
    }

    @Test
    void claimingTwiceRenewsTheLeaseAndBumpsTheVersionEachTime() {
        Instant now = T0.plusSeconds(100);
        GlobalTransaction due = stored("g-1", ACTIVE, now.minusSeconds(1), null, null);

        GlobalTransaction first = store.claimDue("node-a", now, now.plusSeconds(30), 10).getFirst();
        GlobalTransaction second = store.claimDue("node-a", now.plusSeconds(1), now.plusSeconds(31), 10).getFirst();

        assertThat(first.version()).isEqualTo(due.version() + 1);
        assertThat(second.version()).isEqualTo(due.version() + 2);
        assertThat(second.leaseUntil()).isEqualTo(now.plusSeconds(31));
        assertThat(store.find("g-1")).contains(second);
    }

    @Test
    void releaseLeasesFreesOnlyTheOwnersAndMakesDecisionsDueNow() {
        Instant now = T0.plusSeconds(100);
        GlobalTransaction mine = stored("mine", COMMITTING, now.plusSeconds(30), "node-a", now.plusSeconds(30));
        GlobalTransaction active = stored("mine-active", ACTIVE, now.plusSeconds(50), "node-a", now.plusSeconds(30));
        GlobalTransaction theirs = stored("theirs", ABORTING, now.plusSeconds(30), "node-b", now.plusSeconds(30));
        stored("done", COMMITTED, null, null, null);

        assertThat(store.releaseLeases("node-a", now)).isEqualTo(2);

        GlobalTransaction freed = store.find("mine").orElseThrow();
        assertThat(freed.owner()).isNull();
        assertThat(freed.leaseUntil()).isNull();
        assertThat(freed.nextAttemptAt()).isEqualTo(now);
        assertThat(freed.version()).isEqualTo(mine.version() + 1);
        GlobalTransaction freedActive = store.find("mine-active").orElseThrow();
        assertThat(freedActive.owner()).isNull();
        assertThat(freedActive.nextAttemptAt()).as("an ACTIVE transaction keeps its timeout").isEqualTo(now.plusSeconds(50));
        assertThat(freedActive.version()).isEqualTo(active.version() + 1);
        assertThat(store.find("theirs")).contains(theirs);
        // What was released is due at once, for anyone.
        assertThat(store.claimDue("node-c", now, now.plusSeconds(30), 10)).extracting(GlobalTransaction::gid)
                .containsExactly("mine");
    }

    @Test
    void claimDueGrantsAnExpiredLeaseToAnotherNode() {
        Instant now = T0.plusSeconds(100);
        stored("expired", COMMITTING, now.minusSeconds(10), "node-b", now.minusMillis(1));
        // A lease is valid only while leaseUntil is after now (GlobalTransaction.isLeasedAt): this one just ran out.
        stored("expires-now", COMMITTING, now.minusSeconds(10), "node-b", now);
        stored("owner-without-lease", COMMITTING, now.minusSeconds(10), "node-b", null);

        List<GlobalTransaction> claimed = store.claimDue("node-a", now, now.plusSeconds(30), 10);

        assertThat(claimed).extracting(GlobalTransaction::gid)
                .containsExactlyInAnyOrder("expired", "expires-now", "owner-without-lease");
        assertThat(claimed).allSatisfy(t -> {
            assertThat(t.owner()).isEqualTo("node-a");
            assertThat(t.leaseUntil()).isEqualTo(now.plusSeconds(30));
            assertThat(t.updatedAt()).isEqualTo(now);
        });
    }

    @Test
    void claimDueTakesAtMostLimitAndLeavesTheRestToOthers() {
        Instant now = T0.plusSeconds(100);
        for (int i = 0; i < 5; i++) {
            stored("g-" + i, COMMITTING, now.minusSeconds(10 - i), null, null);
        }

        List<GlobalTransaction> a = store.claimDue("node-a", now, now.plusSeconds(30), 2);
        List<GlobalTransaction> b = store.claimDue("node-b", now, now.plusSeconds(30), 2);
        List<GlobalTransaction> c = store.claimDue("node-c", now, now.plusSeconds(30), 2);
        List<GlobalTransaction> d = store.claimDue("node-d", now, now.plusSeconds(30), 2);

        assertThat(a).hasSize(2);
        assertThat(b).hasSize(2);
        assertThat(c).hasSize(1);
        assertThat(d).isEmpty();
        Set<String> all = new HashSet<>();
        for (List<GlobalTransaction> claimed : List.of(a, b, c)) {
            claimed.forEach(t -> assertThat(all.add(t.gid())).as("claimed twice: %s", t.gid()).isTrue());
        }
        assertThat(all).hasSize(5);
    }

    @Test
    void concurrentClaimersNeverReceiveTheSameTransaction() throws Exception {
        Instant now = T0.plusSeconds(100);
        for (int i = 0; i < 40; i++) {
            stored(String.format("g-%02d", i), i % 2 == 0 ? COMMITTING : ABORTING, now.minusMillis(i), null, null);
        }

        List<List<GlobalTransaction>> results = race(i -> store.claimDue("node-" + i, now, now.plusSeconds(30), 8));

        Set<String> seen = new HashSet<>();
        for (int i = 0; i < results.size(); i++) {
            for (GlobalTransaction t : results.get(i)) {
                assertThat(seen.add(t.gid())).as("%s was claimed by two nodes", t.gid()).isTrue();
                assertThat(t.owner()).isEqualTo("node-" + i);
                assertThat(store.find(t.gid())).contains(t);
            }
        }
        assertThat(seen).hasSizeLessThanOrEqualTo(40);
    }

    // ---------------------------------------------------------------- countUnfinished

    @Test
    void countUnfinishedCountsEveryStatusButTheFinalOnes() {
        assertThat(store.countUnfinished()).isZero();
        stored("a1", ACTIVE, T0, null, null);
        stored("a2", ACTIVE, T0, null, null);
        stored("p1", PREPARING, T0, "node-a", T0.plusSeconds(1));
        stored("c1", COMMITTING, T0, "node-a", T0.plusSeconds(1));
        stored("x1", ABORTING, T0, null, null);
        stored("c2", COMMITTED, null, null, null);
        stored("x2", ABORTED, null, null, null);

        assertThat(store.countUnfinished()).isEqualTo(5);
    }

    // ---------------------------------------------------------------- durability and round trips

    @Test
    void everythingSurvivesCloseAndReopen() {
        GlobalTransaction a = begun("g-a");
        BranchRecord pay = branch("g-a", "pay");
        BranchRecord ship = branch("g-a", "ship");
        store.addBranch(pay, ACTIVE);
        store.addBranch(ship, ACTIVE);
        GlobalTransaction afterBranches = a.withVersion(2);
        GlobalTransaction committing = cas(afterBranches, afterBranches.moveTo(COMMITTING, "submitted",
                T0.plusMillis(7), "node-a", T0.plusSeconds(30)));
        BranchRecord payConfirmed = pay.attempted(BranchStatus.CONFIRMED, null, T0.plusMillis(8));
        BranchRecord shipFailed = ship.attempted(BranchStatus.REGISTERED, "HTTP 503: busy", T0.plusMillis(9));
        store.updateBranch(pay, payConfirmed);
        store.updateBranch(ship, shipFailed);
        GlobalTransaction done = stored("g-b", ABORTED, null, null, null);

        store.close();
        TransactionStore closed = store;
        store = null; // if reopen throws, closeStore must not close the old store twice
        store = reopen(closed);

        assertThat(store.find("g-a")).contains(committing);
        assertThat(store.find("g-b")).contains(done);
        assertThat(store.branches("g-a")).containsExactly(payConfirmed, shipFailed);
        assertThat(store.list(null, null, 10)).containsExactly(committing, done);
        assertThat(store.countUnfinished()).isEqualTo(1);
        // The reopened store goes on from the stored versions, order and leases.
        assertThat(store.claimDue("node-b", T0.plusSeconds(1), T0.plusSeconds(60), 10)).isEmpty();
        assertThat(store.compareAndSet(committing, committing.moveTo(COMMITTED, null, T0.plusSeconds(2), null, null)))
                .map(GlobalTransaction::version).contains(committing.version() + 1);
        begun("g-c");
        store.addBranch(branch("g-c", "z"), ACTIVE);
        store.addBranch(branch("g-c", "a"), ACTIVE);
        assertThat(store.branches("g-c")).extracting(BranchRecord::branchId).containsExactly("z", "a");
    }

    /**
     * Regression: the embedded store rebuilt its schedule on open from ACTIVE, COMMITTING and ABORTING only. An XA
     * transaction whose coordinator was killed while PREPARING (during the vote) was then never claimed again, so
     * never presumed aborted, and its prepared branches stayed prepared, holding their locks, in the participants'
     * databases (found by XaCrashTest in pactum-demo).
     */
    @Test
    void everyUnfinishedStatusIsDueAgainAfterReopenPreparingToo() {
        Instant now = T0.plusSeconds(100);
        for (GlobalStatus s : GlobalStatus.values()) {
            stored("g-" + s.name().toLowerCase(java.util.Locale.ROOT), s, now.minusSeconds(1), "node-a",
                    now.plusSeconds(30));
        }

        store.close();
        TransactionStore closed = store;
        store = null;
        store = reopen(closed);

        assertThat(store.countUnfinished()).isEqualTo(5);
        // The node that held them, restarted, takes its leases back and finds every one due at once.
        assertThat(store.releaseLeases("node-a", now)).isEqualTo(5);
        assertThat(store.claimDue("node-a", now, now.plusSeconds(30), 10)).extracting(GlobalTransaction::gid)
                .containsExactlyInAnyOrder("g-active", "g-preparing", "g-committing", "g-aborting", "g-parked");
    }

    @Test
    void xaBranchKeepsItsPrepareUrlAndMovesThroughPrepared() {
        begun("g-xa");
        BranchRecord b = TestBranches.xa("g-xa", "pay", "http://svc/xa/prepare", "http://svc/xa/commit",
                "http://svc/xa/rollback", T0);
        assertThat(store.addBranch(b, ACTIVE)).isInstanceOf(AddBranchResult.Added.class);
        BranchRecord prepared = b.attempted(BranchStatus.PREPARED, null, T0.plusMillis(3));
        assertThat(store.updateBranch(b, prepared)).isTrue();
        BranchRecord committed = prepared.attempted(BranchStatus.CONFIRMED, null, T0.plusMillis(4));
        assertThat(store.updateBranch(prepared, committed)).isTrue();

        assertThat(store.branches("g-xa")).containsExactly(committed);
        assertThat(committed.target("prepare")).isEqualTo("http://svc/xa/prepare");
        assertThat(committed.target("try")).isNull();
    }

    @Test
    void instantsRoundTripAtMillisecondPrecision() {
        Instant created = Instant.parse("1969-07-20T20:17:40.001Z"); // before the epoch
        Instant updated = Instant.parse("2001-09-09T01:46:40.999Z");
        Instant timeout = Instant.parse("9999-12-31T23:59:59.999Z");
        Instant next = Instant.parse("2030-01-01T00:00:00.500Z");
        Instant lease = Instant.parse("2030-01-01T00:00:30.001Z");
        GlobalTransaction tx = new GlobalTransaction("g-time", TxPattern.TCC, ACTIVE, null, created, updated, timeout,
                next, "node-a", lease, 0);
        BranchRecord b = new BranchRecord("g-time", "b", BranchStatus.REGISTERED, TestBranches.tcc("g-time", "b", null, "http://c",
                "http://x", T0).operations(), 0, null,
                created, updated);

        store.begin(tx);
        store.addBranch(b, ACTIVE);

        assertThat(store.find("g-time")).contains(tx.withVersion(1));
        assertThat(store.branches("g-time")).containsExactly(b);
    }

    @Test
    void nullsAndTextRoundTripUnchanged() {
        String reason = "Zahlung abgelehnt: Konto überzogen — 残高不足 \uD83D\uDCB8 'quoted' \"double\" back\\slash";
        String error = "HTTP 503 ".repeat(300); // 2700 characters, as a verbose participant may answer
        GlobalTransaction tx = begun("g-1");
        GlobalTransaction aborting = cas(tx, tx.moveTo(ABORTING, reason, T0, "node-\u00e9", T0.plusSeconds(30)));
        BranchRecord b = TestBranches.tcc("g-1", "pay", null, "http://confirm/\u00fc?a=1&b=2", "http://cancel", T0);
        store.addBranch(b, ABORTING);
        BranchRecord failed = b.attempted(BranchStatus.REGISTERED, error, T0.plusMillis(1));
        store.updateBranch(b, failed);

        assertThat(store.find("g-1")).contains(aborting.withVersion(aborting.version() + 1));
        assertThat(store.branches("g-1")).containsExactly(failed);
        assertThat(store.branches("g-1").getFirst().target("try")).isNull();
    }

    @Test
    void nameIsShortAndNotBlank() {
        assertThat(store.name()).isNotBlank().hasSizeLessThanOrEqualTo(32);
    }

    // ---------------------------------------------------------------- helpers

    /** A new ACTIVE transaction at {@link #T0}, timing out a minute later; not stored. */
    protected static GlobalTransaction tx(String gid) {
        return GlobalTransaction.begin(gid, TxPattern.TCC, T0, T0.plusSeconds(60));
    }

    /** A new registered branch with all three URLs; not stored. */
    protected static BranchRecord branch(String gid, String branchId) {
        return TestBranches.tcc(gid, branchId, "http://svc/try/" + branchId, "http://svc/confirm/" + branchId,
                "http://svc/cancel/" + branchId, T0.plusMillis(5));
    }

    /** Begins {@code gid} and returns what the store holds, asserting that it was new. */
    protected GlobalTransaction begun(String gid) {
        BeginResult r = store.begin(tx(gid));
        assertThat(r.created()).as("begin %s", gid).isTrue();
        return r.transaction();
    }

    /** A compare-and-set that must succeed. */
    protected GlobalTransaction cas(GlobalTransaction expected, GlobalTransaction updated) {
        return store.compareAndSet(expected, updated)
                .orElseThrow(() -> new AssertionError("compare-and-set of " + expected.gid() + " at "
                        + expected.status() + "/v" + expected.version() + " failed"));
    }

    /**
     * Stores {@code gid} in {@code status} with the given schedule and lease, walking it through legal moves only.
     * The records are built directly, not with {@code moveTo}, so that a test can give even a final status a
     * schedule: the store, not the model, must then keep it away from workers.
     */
    protected GlobalTransaction stored(String gid, GlobalStatus status, Instant next, String owner, Instant leaseUntil) {
        GlobalTransaction cur = begun(gid);
        List<GlobalStatus> path = switch (status) {
            case ACTIVE -> List.of(ACTIVE);
            case PREPARING -> List.of(PREPARING);
            case COMMITTING -> List.of(COMMITTING);
            case ABORTING -> List.of(ABORTING);
            case COMMITTED -> List.of(COMMITTING, COMMITTED);
            case ABORTED -> List.of(ABORTING, ABORTED);
            case PARKED -> List.of(GlobalStatus.PARKED);
        };
        for (GlobalStatus step : path) {
            cur = cas(cur, new GlobalTransaction(gid, cur.pattern(), step, step == ACTIVE ? null : "test", cur.createdAt(),
                    T0.plusMillis(1), cur.timeoutAt(), next, owner, leaseUntil, cur.version()));
        }
        return cur;
    }

    @FunctionalInterface
    protected interface Racer<T> {
        T run(int index) throws Exception;
    }

    /** Runs {@value #RACERS} racers on their own threads, released together; returns their results by index. */
    protected static <T> List<T> race(Racer<T> racer) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(RACERS);
        try {
            CountDownLatch ready = new CountDownLatch(RACERS);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < RACERS; i++) {
                int index = i;
                Callable<T> task = () -> {
                    ready.countDown();
                    go.await();
                    return racer.run(index);
                };
                futures.add(pool.submit(task));
            }
            assertThat(ready.await(30, TimeUnit.SECONDS)).as("racers ready").isTrue();
            go.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get(60, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }
}
