package dev.pactum.core.sim;

/**
 * A store call that failed without taking effect (the database is down, a connection broke), thrown by a node's
 * store handle while chaos lasts. Unlike {@link SimulatedCrash} the node lives on and must cope.
 */
final class SimulatedStoreFailure extends RuntimeException {
    SimulatedStoreFailure(String what) {
        super("simulated store failure: " + what, null, false, false);
    }
}
