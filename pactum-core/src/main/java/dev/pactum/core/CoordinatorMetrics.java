package dev.pactum.core;

import dev.pactum.api.BranchOp;
import dev.pactum.api.GlobalStatus;
import dev.pactum.api.Outcome;
import dev.pactum.api.TxPattern;
import dev.pactum.core.spi.StoreStats;
import dev.pactum.core.spi.TransactionStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * The coordinator's meters, created once so the hot path only increments. Names follow Prometheus habits:
 * {@code pactum_transactions_begun_total}, {@code pactum_branch_calls_total{op,outcome}} and so on.
 */
public final class CoordinatorMetrics {
    private final Map<TxPattern, Counter> begun = new EnumMap<>(TxPattern.class);
    private final Map<GlobalStatus, Counter> decided = new EnumMap<>(GlobalStatus.class);
    private final Map<GlobalStatus, Counter> finished = new EnumMap<>(GlobalStatus.class);
    private final Map<BranchOp, Map<Outcome, Counter>> calls = new EnumMap<>(BranchOp.class);
    private final Map<BranchOp, Timer> callTimers = new EnumMap<>(BranchOp.class);
    private final Counter retriesScheduled;
    private final Counter recoveredClaims;
    private final Map<TxPattern, Counter> parked = new EnumMap<>(TxPattern.class);

    public CoordinatorMetrics(MeterRegistry registry) {
        for (TxPattern p : TxPattern.values()) {
            begun.put(p, Counter.builder("pactum.transactions.begun").tag("pattern", p.name())
                    .description("Global transactions begun").register(registry));
            // The alert metric of PARKED (pactum_messages_parked_total): never a silent drop, always a count.
            parked.put(p, Counter.builder("pactum.messages.parked").tag("pattern", p.name())
                    .description("Messages parked after their checks or retries were exhausted; an operator must"
                            + " resolve each").register(registry));
        }
        for (GlobalStatus s : GlobalStatus.values()) {
            if (s.isDecision()) {
                decided.put(s, Counter.builder("pactum.transactions.decided").tag("decision", s.name())
                        .description("Global decisions recorded durably").register(registry));
            }
            if (s.isFinal()) {
                finished.put(s, Counter.builder("pactum.transactions.finished").tag("status", s.name())
                        .description("Global transactions whose phase 2 completed").register(registry));
            }
        }
        for (BranchOp op : EnumSet.complementOf(EnumSet.of(BranchOp.TRY))) { // the coordinator never calls a Try
            Map<Outcome, Counter> byOutcome = new EnumMap<>(Outcome.class);
            for (Outcome o : Outcome.values()) {
                byOutcome.put(o, Counter.builder("pactum.branch.calls").tag("op", op.wire()).tag("outcome", o.name())
                        .description("Phase-2 branch calls made by the coordinator").register(registry));
            }
            calls.put(op, byOutcome);
            callTimers.put(op, Timer.builder("pactum.branch.call.duration").tag("op", op.wire())
                    .description("Latency of phase-2 branch calls").register(registry));
        }
        retriesScheduled = Counter.builder("pactum.phase2.retries").description("Phase-2 rounds that must be retried")
                .register(registry);
        recoveredClaims = Counter.builder("pactum.recovery.claims")
                .description("Transactions claimed by the recovery worker").register(registry);
    }

    /**
     * Publishes the store's own counts ({@link TransactionStore#stats()}), if it keeps them:
     * {@code pactum_store_writes_total}, {@code pactum_store_synced_writes_total},
     * {@code pactum_store_write_groups_total} and {@code pactum_store_fsyncs_total}. Read when scraped, so the store's
     * write path only bumps its own fields. fsyncs over committed transactions is what group commit saves.
     */
    public static void bindStoreStats(MeterRegistry registry, TransactionStore store) {
        if (store.stats().isEmpty()) {
            return;
        }
        storeCounter(registry, store, "pactum.store.writes", "Store writes (each atomic: a begin, a branch, a CAS...)",
                StoreStats::writes);
        storeCounter(registry, store, "pactum.store.synced.writes", "Store writes that had to be on disk before returning",
                StoreStats::syncedWrites);
        storeCounter(registry, store, "pactum.store.write.groups", "Batches of writes handed to the storage engine",
                StoreStats::writeGroups);
        storeCounter(registry, store, "pactum.store.fsyncs", "Write groups forced to disk (one fsync each)",
                StoreStats::fsyncs);
    }

    private static void storeCounter(MeterRegistry registry, TransactionStore store, String name, String description,
                                     ToLongFunction<StoreStats> count) {
        FunctionCounter.builder(name, store, s -> s.stats().map(count::applyAsLong).orElse(0L))
                .tag("store", store.name()).description(description).register(registry);
    }

    public void begun(TxPattern p) {
        begun.get(p).increment();
    }

    public void decided(GlobalStatus decision) {
        decided.get(decision).increment();
    }

    public void finished(GlobalStatus status) {
        finished.get(status).increment();
    }

    public void call(BranchOp op, Outcome outcome, Duration took) {
        calls.get(op).get(outcome).increment();
        callTimers.get(op).record(took);
    }

    /** A record moved to PARKED: its automatic handling is exhausted and an operator must resolve it. */
    public void parked(TxPattern p) {
        parked.get(p).increment();
    }

    public void retryScheduled() {
        retriesScheduled.increment();
    }

    public void claimed(int n) {
        recoveredClaims.increment(n);
    }
}
