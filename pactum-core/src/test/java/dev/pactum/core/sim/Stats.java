package dev.pactum.core.sim;

/** What the schedules exercised, summed over a run: evidence that the faults the checks are about really happen. */
final class Stats {
    long schedules;
    long steps;
    long transactions;
    long committed;
    long aborted;
    long crashes;
    long machineCrashes;
    /** XA transactions a machine crash left ACTIVE although they were PREPARING (the lazy write lost). */
    long preparingLost;
    long storeFailures;
    long nestedCalls;
    long lateDeliveries;
    long duplicates;
    long suspended;
    long emptyCompensations;
    long timeouts;
    long presumedAborts;
    long messages;
    long checkBacks;
    long parked;
    long resolved;
    long producersLostAfterLocalCommit;
    long orderWaits;

    void add(Stats o) {
        schedules += o.schedules;
        steps += o.steps;
        transactions += o.transactions;
        committed += o.committed;
        aborted += o.aborted;
        crashes += o.crashes;
        machineCrashes += o.machineCrashes;
        preparingLost += o.preparingLost;
        storeFailures += o.storeFailures;
        nestedCalls += o.nestedCalls;
        lateDeliveries += o.lateDeliveries;
        duplicates += o.duplicates;
        suspended += o.suspended;
        emptyCompensations += o.emptyCompensations;
        timeouts += o.timeouts;
        presumedAborts += o.presumedAborts;
        messages += o.messages;
        checkBacks += o.checkBacks;
        parked += o.parked;
        resolved += o.resolved;
        producersLostAfterLocalCommit += o.producersLostAfterLocalCommit;
        orderWaits += o.orderWaits;
    }

    @Override
    public String toString() {
        return schedules + " schedules, " + steps + " steps, " + transactions + " transactions (" + committed
                + " committed, " + aborted + " aborted; " + timeouts + " timed out, " + presumedAborts
                + " presumed aborts), " + crashes + " node crashes (" + machineCrashes + " losing unsynced writes, " + preparingLost
                + " of them an XA vote's PREPARING), "
                + storeFailures + " failed store calls, "
                + nestedCalls + " slow calls with other work inside, " + lateDeliveries + " late deliveries, "
                + duplicates + " duplicate calls absorbed, " + suspended + " Trys after their Cancel, "
                + emptyCompensations + " empty compensations; " + messages + " half messages, " + checkBacks
                + " check-backs, " + producersLostAfterLocalCommit + " producers gone after their local commit, "
                + parked + " parked, " + resolved + " resolved by the operator, " + orderWaits
                + " deliveries held behind an earlier message of their key";
    }
}
