package dev.pactum.core;

import dev.pactum.api.GlobalStatus;
import dev.pactum.api.IllegalTransitionException;
import dev.pactum.api.TxPattern;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The moves of {@link GlobalStatus} that one pattern allows: a subset of the union table in {@code GlobalStatus}.
 * Every pattern names the statuses it uses and how it moves between them, so a TCC transaction can never be found
 * PREPARING, nor a half message PRECOMMITTED, even through a bug elsewhere. {@link #check} is the validated move;
 * {@code Decisions} calls it before every compare-and-set.
 *
 * <p>A status always "moves" to itself (a retry schedule or a lease changes, the status does not), so the builder
 * adds those self-moves for every non-final status it is given.
 */
public final class StateTable {
    private final TxPattern pattern;
    private final Map<GlobalStatus, Set<GlobalStatus>> next;

    private StateTable(TxPattern pattern, Map<GlobalStatus, Set<GlobalStatus>> next) {
        this.pattern = pattern;
        this.next = next;
    }

    public static Builder of(TxPattern pattern) {
        return new Builder(pattern);
    }

    public TxPattern pattern() {
        return pattern;
    }

    /** Every status this pattern uses. */
    public Set<GlobalStatus> statuses() {
        return next.keySet();
    }

    public boolean allows(GlobalStatus from, GlobalStatus to) {
        Set<GlobalStatus> s = next.get(from);
        return s != null && s.contains(to);
    }

    /** The legal successors of {@code from} (empty for a final status or one the pattern does not use). */
    public Set<GlobalStatus> successors(GlobalStatus from) {
        return next.getOrDefault(from, Set.of());
    }

    /** Throws {@link IllegalTransitionException} naming the transaction, its pattern and both statuses. */
    public void check(String gid, GlobalStatus from, GlobalStatus to) {
        if (!allows(from, to)) {
            throw new IllegalTransitionException(pattern + " transaction " + gid + " cannot move from " + from + " to "
                    + to + " (" + pattern + " allows " + from + " -> " + successors(from) + ")", gid, from.name());
        }
    }

    public static final class Builder {
        private final TxPattern pattern;
        private final Map<GlobalStatus, Set<GlobalStatus>> next = new EnumMap<>(GlobalStatus.class);

        private Builder(TxPattern pattern) {
            this.pattern = pattern;
        }

        /** {@code from} may move to each of {@code to}; every move must also be in {@code GlobalStatus}'s union table. */
        public Builder allow(GlobalStatus from, GlobalStatus... to) {
            Set<GlobalStatus> s = next.computeIfAbsent(from, k -> EnumSet.noneOf(GlobalStatus.class));
            for (GlobalStatus t : to) {
                if (!from.canMoveTo(t)) {
                    throw new IllegalArgumentException(pattern + ": " + from + " -> " + t
                            + " is not a move of GlobalStatus's table");
                }
                s.add(t);
                next.computeIfAbsent(t, k -> EnumSet.noneOf(GlobalStatus.class));
            }
            return this;
        }

        public StateTable build() {
            Map<GlobalStatus, Set<GlobalStatus>> frozen = new EnumMap<>(GlobalStatus.class);
            for (Map.Entry<GlobalStatus, Set<GlobalStatus>> e : next.entrySet()) {
                Set<GlobalStatus> s = EnumSet.copyOf(e.getValue().isEmpty() ? EnumSet.noneOf(GlobalStatus.class)
                        : e.getValue());
                if (!e.getKey().isFinal()) {
                    s.add(e.getKey());
                } else if (!s.isEmpty()) {
                    throw new IllegalArgumentException(pattern + ": final status " + e.getKey() + " cannot move on");
                }
                frozen.put(e.getKey(), Collections.unmodifiableSet(s));
            }
            if (!frozen.containsKey(GlobalStatus.ACTIVE)) {
                throw new IllegalArgumentException(pattern + ": every pattern starts ACTIVE");
            }
            return new StateTable(pattern, Collections.unmodifiableMap(frozen));
        }
    }
}
