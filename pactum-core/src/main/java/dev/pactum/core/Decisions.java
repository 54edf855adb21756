package dev.pactum.core;

import dev.pactum.api.GlobalStatus;
import dev.pactum.api.TxPattern;
import dev.pactum.core.model.BranchRecord;
import dev.pactum.core.model.GlobalTransaction;
import dev.pactum.core.spi.BranchUpdate;
import dev.pactum.core.spi.TransactionStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The one path by which a global transaction changes status: the move is checked against its pattern's
 * {@link StateTable}, persisted as a compare-and-set, counted and logged. A non-final target is taken with this
 * node's lease (so this node drives the next step at once and no worker steps in before the lease ends); a final
 * one clears lease and schedule. An empty answer means another writer changed the transaction first: the caller
 * re-reads, or leaves it to whoever won.
 */
public final class Decisions {
    private static final Logger log = LoggerFactory.getLogger(Decisions.class);

    private final TransactionStore store;
    private final Function<TxPattern, StateTable> tables;
    private final Function<GlobalTransaction, List<BranchRecord>> orderedAtCommit;
    private final CoordinatorConfig config;
    private final CoordinatorMetrics metrics;
    private final Clock clock;

    /** @param tables the state table of each pattern, usually {@code id -> registry.of(id).table()} */
    public Decisions(TransactionStore store, Function<TxPattern, StateTable> tables, CoordinatorConfig config,
                     CoordinatorMetrics metrics, Clock clock) {
        this(store, tables, tx -> List.of(), config, metrics, clock);
    }

    /**
     * @param orderedAtCommit the branches a commit decision appends to their lanes, usually
     *                        {@code tx -> registry.of(tx.pattern()).orderedAtCommit(tx)}
     */
    public Decisions(TransactionStore store, Function<TxPattern, StateTable> tables,
                     Function<GlobalTransaction, List<BranchRecord>> orderedAtCommit, CoordinatorConfig config,
                     CoordinatorMetrics metrics, Clock clock) {
        this.store = store;
        this.tables = tables;
        this.orderedAtCommit = orderedAtCommit;
        this.config = config;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** Moves {@code tx} to {@code target}; {@code why} becomes its reason (null keeps the old one). */
    public Optional<GlobalTransaction> move(GlobalTransaction tx, GlobalStatus target, String why) {
        return move(tx, target, why, List.of());
    }

    /**
     * Records the branch answers {@code first}, then, if every one was recorded, moves {@code tx} to {@code target}:
     * the end of a phase-2 round, in one store call ({@link TransactionStore#updateBranchesAndSet}). Empty when a
     * branch update or the move lost to another writer.
     */
    public Optional<GlobalTransaction> move(GlobalTransaction tx, GlobalStatus target, String why,
                                            List<BranchUpdate> first) {
        tables.apply(tx.pattern()).check(tx.gid(), tx.status(), target);
        Instant now = clock.instant();
        GlobalTransaction next = target.isFinal() ? tx.moveTo(target, why, now, null, null)
                : tx.moveTo(target, why, now, config.nodeId(), now.plus(config.lease()));
        // The commit decision and the lanes of its keyed messages are one write: the order per key is the order of
        // these writes (docs/messages.md, "Order per key").
        List<BranchRecord> ordered = target == GlobalStatus.COMMITTING && tx.status() != GlobalStatus.COMMITTING
                ? orderedAtCommit.apply(tx) : List.of();
        if (!first.isEmpty() && !ordered.isEmpty()) {
            // Branch answers come with a move only at the end of a round or with XA's votes; a commit that orders
            // messages (MSG's) comes without any. The store has no single write for both.
            throw new IllegalStateException("a commit decision of " + tx.gid() + " with branch answers cannot order"
                    + " messages too");
        }
        Optional<GlobalTransaction> stored = first.isEmpty() ? store.compareAndSet(tx, next, ordered)
                : store.updateBranchesAndSet(first, tx, next);
        if (stored.isPresent() && target != tx.status()) {
            if (target.isDecision()) {
                metrics.decided(target);
            } else if (target.isFinal()) {
                metrics.finished(target);
            } else if (target == GlobalStatus.PARKED) {
                metrics.parked(tx.pattern());
            }
            // Why a transaction aborted is what an operator looks for; the common path stays quiet.
            if (target == GlobalStatus.ABORTING || target == GlobalStatus.PARKED) {
                log.info("{} {} -> {}: {}", tx.gid(), tx.status(), target, next.reason());
            } else if (log.isDebugEnabled()) {
                log.debug("{} {} -> {}: {}", tx.gid(), tx.status(), target, next.reason());
            }
        }
        return stored;
    }

    /**
     * Same status, lease given up, next look at {@code next}: a retry with backoff, a timeout not yet come, the next
     * check-back, or null for no due time at all (a PARKED record waits for an operator).
     */
    public Optional<GlobalTransaction> reschedule(GlobalTransaction tx, Instant next) {
        Optional<GlobalTransaction> stored = store.compareAndSet(tx, tx.rescheduled(next, clock.instant()));
        if (stored.isPresent() && tx.status().isDecision()) {
            metrics.retryScheduled();
        }
        return stored;
    }
}
