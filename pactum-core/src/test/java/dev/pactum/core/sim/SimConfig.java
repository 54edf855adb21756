package dev.pactum.core.sim;

import dev.pactum.core.testkit.FakeBranchInvoker.Fate;
import dev.pactum.core.testkit.InMemoryTransactionStore.Durability;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;

/**
 * The shape of one schedule, drawn from its seed: how many coordinator nodes and clients, how hostile the network
 * and how crash-prone the nodes, the coordinator's timings. Different seeds so cover quiet single-node runs as well
 * as three nodes crashing on a lossy network.
 *
 * @param nodes            coordinator nodes sharing the store (a store shared by several is JDBC-like: every
 *                         write durable; a single node may get the embedded store's lazy writes instead)
 * @param durability       what the store loses when a node's machine crashes
 * @param clients          concurrent clients, one global transaction each
 * @param crashPerIo       chance that a node dies at one of its store or branch calls, while chaos lasts
 * @param maxCrashes       crashes at most in one schedule, so that the chaos phase ends
 * @param nestPerCall      chance that a branch call is slow enough for other work to run meanwhile
 * @param coordinatorCalls fates of the coordinator's phase-1 and phase-2 calls while chaos lasts
 * @param clientCalls      fates of the clients' Try and XA work calls while chaos lasts
 * @param refuse           chance that a participant refuses a Try, an XA work or votes no
 * @param abandon          chance that a client stops mid-way (its transaction must time out)
 * @param xa               chance that a transaction is XA rather than TCC
 * @param storeFailurePerIo chance that a store call fails without effect (the node lives on), while chaos lasts
 * @param chaosTail        how long faults go on after the last client is done, while phase 2 and recovery run
 * @param msg              chance that a client is a producer of a half message (MSG) rather than a TCC / XA client
 * @param maxChecks        unanswered check-backs before a half message is PARKED (small, so that parking happens)
 */
record SimConfig(long seed, int nodes, Durability durability, int clients, double crashPerIo, int maxCrashes,
                 double nestPerCall, Map<Fate, Integer> coordinatorCalls, Map<Fate, Integer> clientCalls,
                 double refuse, double abandon, double xa, int maxBranches, Duration lease, Duration retryBase,
                 Duration retryCap, Duration workerInterval, int workerBatch, Duration maxThink,
                 Duration minTimeout, Duration maxTimeout, Duration chaosTail, double storeFailurePerIo,
                 double msg, int maxChecks) {

    static SimConfig from(long seed) {
        Random r = new Random(seed ^ 0x5DEECE66DL);
        int nodes = 1 + r.nextInt(3);
        Durability durability = nodes == 1 && r.nextInt(4) != 0 ? Durability.LAZY_AS_DOCUMENTED : Durability.ALL_SYNCED;
        boolean hostile = r.nextInt(3) != 0;
        int noise = hostile ? 1 + r.nextInt(6) : 0;
        Map<Fate, Integer> coordinator = new EnumMap<>(Fate.class);
        coordinator.put(Fate.DELIVER, 60);
        coordinator.put(Fate.REPLY_409, noise / 3);
        coordinator.put(Fate.REPLY_425, noise);
        coordinator.put(Fate.REPLY_503, noise);
        coordinator.put(Fate.THROW, noise / 2);
        coordinator.put(Fate.TIMEOUT, noise);
        coordinator.put(Fate.LOST_ANSWER, 2 * noise);
        coordinator.put(Fate.DUPLICATE, 2 * noise);
        coordinator.put(Fate.DELAY, 2 * noise);
        Map<Fate, Integer> client = new EnumMap<>(Fate.class);
        client.put(Fate.DELIVER, 60);
        client.put(Fate.REPLY_503, noise / 2);
        client.put(Fate.TIMEOUT, noise / 2);
        client.put(Fate.LOST_ANSWER, noise);
        client.put(Fate.DUPLICATE, noise);
        client.put(Fate.DELAY, noise);
        Duration lease = Duration.ofMillis(500 + r.nextInt(4500));
        Duration retryBase = Duration.ofMillis(20 + r.nextInt(200));
        return new SimConfig(seed, nodes, durability, 1 + r.nextInt(8),
                r.nextInt(4) == 0 ? 0 : 0.002 + r.nextDouble() * 0.03, 1 + r.nextInt(4),
                r.nextInt(3) == 0 ? 0 : r.nextDouble() * 0.3,
                coordinator, client, r.nextDouble() * 0.3, r.nextDouble() * 0.15, r.nextDouble(), r.nextInt(4),
                lease, retryBase, retryBase.plusMillis(r.nextInt(3000)), Duration.ofMillis(50 + r.nextInt(450)),
                1 + r.nextInt(8), Duration.ofMillis(r.nextInt(800)), Duration.ofMillis(300 + r.nextInt(700)),
                Duration.ofMillis(1500 + r.nextInt(6000)), Duration.ofMillis(r.nextInt(15_000)),
                r.nextInt(3) == 0 ? r.nextDouble() * 0.02 : 0,
                // Drawn last, so that the shapes drawn before stay those of earlier versions.
                r.nextInt(3) == 0 ? 0 : r.nextDouble() * 0.5, 1 + r.nextInt(6));
    }

    String describe() {
        return "nodes=" + nodes + " store=" + durability + " clients=" + clients + " crashPerIo="
                + String.format("%.3f", crashPerIo) + " maxCrashes=" + maxCrashes + " nest="
                + String.format("%.2f", nestPerCall) + " refuse=" + String.format("%.2f", refuse) + " lease=" + lease
                + " retry=" + retryBase + ".." + retryCap + " worker=" + workerInterval + "/" + workerBatch
                + " storeFailures=" + String.format("%.3f", storeFailurePerIo) + " msg=" + String.format("%.2f", msg)
                + " maxChecks=" + maxChecks + " network=" + coordinatorCalls;
    }
}
