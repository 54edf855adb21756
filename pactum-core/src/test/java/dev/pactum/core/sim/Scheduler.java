package dev.pactum.core.sim;

import dev.pactum.core.testkit.ManualClock;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;

/**
 * The one thread of the simulation decides the order of everything: each piece of work (a client's call, a driver
 * round, a recovery pass, a late network delivery, a restart) is an {@link Event} with a due time, and each step
 * runs one of the events that are due, chosen by the seeded {@link Random}. When none is due, simulated time jumps
 * to the next one. Work may also run nested inside a branch call of another node ({@link #runNested}): that is how
 * two nodes' work interleaves in the middle of a round, as real threads would.
 */
final class Scheduler {
    /** Who an event belongs to, so a crash can drop all of a node's pending work at once. */
    interface Owner {
        String name();
    }

    static final class Event {
        final long seq;
        final Instant due;
        final Owner owner;
        final String kind;
        final String label;
        final Runnable action;

        Event(long seq, Instant due, Owner owner, String kind, String label, Runnable action) {
            this.seq = seq;
            this.due = due;
            this.owner = owner;
            this.kind = kind;
            this.label = label;
            this.action = action;
        }
    }

    final Random random;
    final ManualClock clock;
    final Trace trace;
    private final List<Event> pending = new ArrayList<>();
    private final Deque<Event> running = new ArrayDeque<>();
    private long seq;
    private long steps;

    Scheduler(Random random, ManualClock clock, Trace trace) {
        this.random = random;
        this.clock = clock;
        this.trace = trace;
    }

    void after(Duration delay, Owner owner, String kind, String label, Runnable action) {
        pending.add(new Event(seq++, clock.instant().plus(delay), owner, kind, label, action));
    }

    void dropOwnedBy(Owner owner) {
        pending.removeIf(e -> e.owner == owner);
    }

    boolean hasPending(Predicate<Event> which) {
        return pending.stream().anyMatch(which);
    }

    long steps() {
        return steps;
    }

    /** Runs one due event (jumping to the next due time if none is due); false when nothing is left at all. */
    boolean step() {
        if (pending.isEmpty()) {
            return false;
        }
        clock.advance(Duration.ofMillis(random.nextInt(20)));
        List<Integer> ready = ready(e -> true);
        if (ready.isEmpty()) {
            Instant next = pending.stream().map(e -> e.due).min(Instant::compareTo).orElseThrow();
            clock.advanceTo(next);
            ready = ready(e -> true);
        }
        run(pending.remove((int) ready.get(random.nextInt(ready.size()))));
        return true;
    }

    /**
     * Runs up to {@code max} due events that {@code allowed} accepts, here and now, nested in the current step.
     * An event of a kind that is on the stack for the same owner is never nested (a recovery pass inside the same
     * node's recovery pass would be a re-entrance production never does).
     */
    void runNested(int max, Predicate<Event> allowed) {
        for (int i = 0; i < max; i++) {
            List<Integer> ready = ready(e -> allowed.test(e) && running.stream()
                    .noneMatch(r -> r.owner == e.owner && r.kind.equals(e.kind)));
            if (ready.isEmpty()) {
                return;
            }
            run(pending.remove((int) ready.get(random.nextInt(ready.size()))));
        }
    }

    int depth() {
        return running.size();
    }

    private List<Integer> ready(Predicate<Event> which) {
        Instant now = clock.instant();
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < pending.size(); i++) {
            Event e = pending.get(i);
            if (!e.due.isAfter(now) && which.test(e)) {
                out.add(i);
            }
        }
        return out;
    }

    private void run(Event e) {
        steps++;
        running.push(e);
        trace.add(clock.instant(), running.size(), e.owner == null ? "-" : e.owner.name(), e.label);
        try {
            e.action.run();
        } catch (SimulatedCrash crash) {
            // The owner died in this step; its node already recorded the crash and dropped its other work.
            trace.add(clock.instant(), running.size(), e.owner == null ? "-" : e.owner.name(), "  ^ died here");
        } finally {
            running.pop();
        }
    }
}
