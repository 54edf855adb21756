package dev.pactum.core.testkit;

import dev.pactum.api.BranchOp;
import dev.pactum.api.Outcome;
import dev.pactum.core.spi.BranchCall;
import dev.pactum.core.spi.BranchInvoker;
import dev.pactum.core.spi.CallResult;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.function.Consumer;

/**
 * A {@link BranchInvoker} whose network and participants misbehave on purpose, and that records every call.
 *
 * <p>Each call gets a {@link Fate}: from a script per (branch, operation) in the order given, or drawn from a seeded
 * {@link Random} with weights. A call that reaches the participant is handed to a {@link Participant} (by default
 * one that answers 200 to everything), so the fates that lose an answer or duplicate a call do so after the
 * participant applied it, as a real network would: the coordinator sees a failure while the work is done.
 *
 * <p>Thread-safe; the participant is called outside the invoker's lock, so parallel calls stay parallel.
 */
public final class FakeBranchInvoker implements BranchInvoker {

    /** What happens to one call. */
    public enum Fate {
        /** Reaches the participant; its answer comes back. */
        DELIVER,
        /** The participant answers 409 without applying anything (a refusal). */
        REPLY_409,
        /** The participant answers 425 without applying anything (try later). */
        REPLY_425,
        /** The participant answers 503 without applying anything (unavailable). */
        REPLY_503,
        /** The invoker itself throws (which an invoker must not do; the coordinator copes anyway). */
        THROW,
        /** The request is lost: the participant never sees it; the caller sees no answer. */
        TIMEOUT,
        /** The participant applies the call, the answer is lost: the caller sees no answer. */
        LOST_ANSWER,
        /** The participant receives the call twice; the caller gets the second answer. */
        DUPLICATE,
        /** The request is held in the network and reaches the participant later; the caller sees no answer. */
        DELAY
    }

    /** The participant side: applies a call that reached it and answers. */
    @FunctionalInterface
    public interface Participant {
        CallResult handle(BranchCall call);
    }

    /** Chooses the fate of each call. */
    @FunctionalInterface
    public interface Chooser {
        Fate choose(BranchCall call);
    }

    /** A call held by {@link Fate#DELAY}; {@link #deliver()} hands it to the participant (once). */
    public final class DelayedCall {
        private final BranchCall call;
        private boolean delivered;

        private DelayedCall(BranchCall call) {
            this.call = call;
        }

        public BranchCall call() {
            return call;
        }

        /** The participant receives the call now; its answer goes nowhere, the caller gave up long ago. */
        public CallResult deliver() {
            synchronized (FakeBranchInvoker.this) {
                if (delivered) {
                    throw new IllegalStateException("delayed call delivered twice: " + call);
                }
                delivered = true;
                delayed.remove(this);
            }
            CallResult r = participant.handle(call);
            record(call, Fate.DELAY, r, true);
            return r;
        }
    }

    /**
     * One call as the invoker saw it.
     *
     * @param result      what the caller got back (null when the invoker threw), or for a late delivery what the
     *                    participant answered to nobody
     * @param lateDelivery true for the record of a delayed call reaching the participant
     */
    public record Recorded(long seq, BranchCall call, Fate fate, CallResult result, boolean lateDelivery) {
    }

    public static final Participant ALWAYS_OK = c -> new CallResult(Outcome.SUCCESS, 200, "ok");

    private final Participant participant;
    private final Chooser chooser;
    private final List<Recorded> calls = new ArrayList<>();
    private final List<DelayedCall> delayed = new ArrayList<>();
    private Consumer<DelayedCall> onDelay = d -> { };
    private long seq;

    public FakeBranchInvoker(Participant participant, Chooser chooser) {
        this.participant = Objects.requireNonNull(participant, "participant");
        this.chooser = Objects.requireNonNull(chooser, "chooser");
    }

    /** Every call reaches {@code participant}. */
    public static FakeBranchInvoker reliable(Participant participant) {
        return new FakeBranchInvoker(participant, c -> Fate.DELIVER);
    }

    /** Fates by script: {@link Script#then} per branch and operation, {@link Fate#DELIVER} once a script ran out. */
    public static Script scripted(Participant participant) {
        return new Script(participant);
    }

    /**
     * Fates drawn from {@code random} in proportion to {@code weights} (a missing fate has weight 0). The draw
     * happens under the invoker's lock, in call order: single-threaded callers get a replayable sequence.
     */
    public static FakeBranchInvoker random(Participant participant, Random random, Map<Fate, Integer> weights) {
        return new FakeBranchInvoker(participant, weighted(random, weights));
    }

    /** A chooser that draws from {@code random} in proportion to {@code weights}. */
    public static Chooser weighted(Random random, Map<Fate, Integer> weights) {
        Map<Fate, Integer> w = new EnumMap<>(weights);
        int total = w.values().stream().mapToInt(Integer::intValue).sum();
        if (total <= 0 || w.values().stream().anyMatch(v -> v < 0)) {
            throw new IllegalArgumentException("weights must be non-negative with a positive sum: " + weights);
        }
        return call -> {
            int pick = random.nextInt(total);
            for (Map.Entry<Fate, Integer> e : w.entrySet()) {
                pick -= e.getValue();
                if (pick < 0) {
                    return e.getKey();
                }
            }
            throw new AssertionError("unreachable");
        };
    }

    /** Called with every call that {@link Fate#DELAY} holds back, e.g. to schedule its delivery. */
    public FakeBranchInvoker onDelay(Consumer<DelayedCall> sink) {
        this.onDelay = Objects.requireNonNull(sink, "sink");
        return this;
    }

    @Override
    public CallResult invoke(BranchCall call) {
        Fate fate;
        synchronized (this) {
            fate = chooser.choose(call);
        }
        CallResult r = switch (fate) {
            case DELIVER -> participant.handle(call);
            case REPLY_409 -> new CallResult(Outcome.FAILURE, 409, "HTTP 409 (fake)");
            case REPLY_425 -> new CallResult(Outcome.ONGOING, 425, "HTTP 425 (fake)");
            case REPLY_503 -> new CallResult(Outcome.ONGOING, 503, "HTTP 503 (fake)");
            case THROW -> {
                record(call, fate, null, false);
                throw new IllegalStateException("fake invoker failure calling " + call.op().wire() + " of "
                        + call.branchId() + " in " + call.gid());
            }
            case TIMEOUT -> CallResult.noAnswer("timed out (fake: request lost)");
            case LOST_ANSWER -> {
                participant.handle(call);
                yield CallResult.noAnswer("timed out (fake: answer lost)");
            }
            case DUPLICATE -> {
                participant.handle(call);
                yield participant.handle(call);
            }
            case DELAY -> {
                DelayedCall d = new DelayedCall(call);
                Consumer<DelayedCall> sink;
                synchronized (this) {
                    delayed.add(d);
                    sink = onDelay;
                }
                sink.accept(d);
                yield CallResult.noAnswer("timed out (fake: request delayed)");
            }
        };
        record(call, fate, r, false);
        return r;
    }

    /** Every call so far, in order, late deliveries included. */
    public synchronized List<Recorded> calls() {
        return List.copyOf(calls);
    }

    /** The calls made to one branch with one operation (late deliveries excluded). */
    public synchronized List<Recorded> calls(String gid, String branchId, BranchOp op) {
        return calls.stream().filter(r -> !r.lateDelivery() && r.call().gid().equals(gid)
                && r.call().branchId().equals(branchId) && r.call().op() == op).toList();
    }

    /** Calls held back by {@link Fate#DELAY} and not delivered yet, oldest first. */
    public synchronized List<DelayedCall> delayed() {
        return List.copyOf(delayed);
    }

    private synchronized void record(BranchCall call, Fate fate, CallResult r, boolean late) {
        calls.add(new Recorded(++seq, call, fate, r, late));
    }

    /** Builds a scripted invoker. */
    public static final class Script {
        private final Participant participant;
        private final Map<String, Deque<Fate>> script = new HashMap<>();

        private Script(Participant participant) {
            this.participant = participant;
        }

        /** The next calls of {@code op} to {@code branchId} (any transaction) get these fates, in order. */
        public Script then(String branchId, BranchOp op, Fate... fates) {
            script.computeIfAbsent(branchId + "/" + op, k -> new ArrayDeque<>()).addAll(List.of(fates));
            return this;
        }

        public FakeBranchInvoker build() {
            return new FakeBranchInvoker(participant, call -> {
                Deque<Fate> q = script.get(call.branchId() + "/" + call.op());
                return q == null || q.isEmpty() ? Fate.DELIVER : q.poll();
            });
        }
    }
}
