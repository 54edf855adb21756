package dev.pactum.core;

import java.util.Set;

/**
 * Named places where a test can make the coordinator die on the spot, as {@code kill -9} would: the process
 * halts without running shutdown hooks, flushing or closing anything. The crash tests use them to stop a
 * coordinator at each interesting moment of a protocol (after the vote, after the decision...) instead of
 * hoping a random kill lands there. In production the set is empty and {@link #hit} is one set lookup.
 */
public final class Failpoints {
    /** XA: PREPARING handed to the store (not synced: the crash may lose it, then restart aborts at the timeout), no prepare call made. */
    public static final String XA_BEFORE_VOTE = "xa-before-vote";
    /** XA: every branch answered prepare, the decision not yet recorded. */
    public static final String XA_AFTER_VOTE = "xa-after-vote";
    /** XA: the decision is durable, no phase-2 call made yet. */
    public static final String XA_AFTER_DECISION = "xa-after-decision";
    /**
     * Any pattern: the first branch's acknowledgement of a phase-2 round recorded, the others' not yet. The calls
     * of a round go out in parallel, so the other branches have been called too: only their answers are lost.
     */
    public static final String MID_PHASE_TWO = "mid-phase-two";

    private static final Set<String> KNOWN = Set.of(XA_BEFORE_VOTE, XA_AFTER_VOTE, XA_AFTER_DECISION, MID_PHASE_TWO);
    private static final Failpoints NONE = new Failpoints(Set.of());

    private final Set<String> armed;

    private Failpoints(Set<String> armed) {
        this.armed = armed;
    }

    public static Failpoints none() {
        return NONE;
    }

    /** Arms the named failpoints; an unknown name is refused so a typo cannot silently disable a crash test. */
    public static Failpoints of(Set<String> names) {
        for (String n : names) {
            if (!KNOWN.contains(n)) {
                throw new IllegalArgumentException("unknown failpoint '" + n + "'; known: " + KNOWN);
            }
        }
        return new Failpoints(Set.copyOf(names));
    }

    public boolean isEmpty() {
        return armed.isEmpty();
    }

    public boolean isArmed(String name) {
        return armed.contains(name);
    }

    /** Halts the process at once if {@code name} is armed. */
    public void hit(String name) {
        if (armed.contains(name)) {
            System.err.println("pactum: failpoint " + name + " hit, halting");
            System.err.flush();
            Runtime.getRuntime().halt(137);
        }
    }
}
