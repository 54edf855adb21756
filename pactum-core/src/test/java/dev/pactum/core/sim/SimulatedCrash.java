package dev.pactum.core.sim;

/**
 * Thrown inside a simulated coordinator node at the instant it dies, and at every later store or branch call of
 * that incarnation: like {@code kill -9}, nothing the dead node does afterwards reaches the store or a participant.
 * An {@link Error}, so that the core's {@code catch (RuntimeException)} blocks do not mistake it for a failure to
 * log and carry on from.
 */
final class SimulatedCrash extends Error {
    SimulatedCrash(String node) {
        super("node " + node + " crashed", null, false, false);
    }
}
