package dev.pactum.demo;

import dev.pactum.api.BranchView;
import dev.pactum.api.GlobalStatus;
import dev.pactum.api.TransactionView;
import dev.pactum.client.PactumClient;

import java.io.IOException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static dev.pactum.demo.DemoCommand.get;
import static dev.pactum.demo.DemoCommand.say;

/**
 * The message demo's crash phase: the order service is killed with kill -9 between its local commit and its
 * submit, and the coordinator's check-back, once the service is back, finds the committed barrier row and delivers
 * the message. The order carries {@code crashAfterLocalCommit}, which the order service (started with the failpoint
 * {@value PauseAfterCommit#NAME} armed) honours by stopping right after its commit; the demo waits until the order
 * row is visible from outside (committed), then kills the process.
 */
final class MsgCrash {
    private static final Duration SEEN_WITHIN = Duration.ofSeconds(30);
    private static final Duration REPAIRED_WITHIN = Duration.ofSeconds(90);

    private final HttpClient http;
    private final PactumClient pactum;
    private final String orderUrl;
    private final StringBuilder detail = new StringBuilder();

    MsgCrash(HttpClient http, PactumClient pactum, String orderUrl) {
        this.http = http;
        this.pactum = pactum;
        this.orderUrl = orderUrl;
    }

    /** What happened, for a violation's message. */
    String detail() {
        return detail.toString();
    }

    /**
     * Places {@code order}, waits until its row is committed, finds its half message at the coordinator and kills
     * the order service.
     *
     * @return the gid of the order's message
     * @throws IOException when the order is not seen committed, or its message not found, within the bounds
     */
    String killAfterLocalCommit(ChildProcess service, Map<String, Object> order) throws Exception {
        String id = (String) order.get("orderId");
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            // never answered: the process that would answer is killed
            ex.submit(() -> DemoCommand.post(http, orderUrl + "/orders", order));
            long deadline = System.nanoTime() + SEEN_WITHIN.toNanos();
            while (MsgDemo.orderStatus(get(http, orderUrl + "/state"), id).equals("absent")) {
                if (System.nanoTime() > deadline || !service.isAlive()) {
                    throw new IOException("order " + id + " was not committed within " + SEEN_WITHIN + "; see "
                            + service.log());
                }
                Thread.sleep(50);
            }
            String gid = findMessage(id, deadline);
            long pid = service.pid();
            service.kill();
            ex.shutdownNow();
            TransactionView v = pactum.get(gid);
            say("   order " + id + " committed in the order service's database with its barrier row; the service"
                    + " (pid " + pid + ") is stopped before its submit and killed with kill -9: " + (service.isAlive()
                    ? "STILL ALIVE" : "gone"));
            say("   the coordinator holds the message " + gid + " " + v.status() + " (\"to confirm\": stored,"
                    + " invisible to payment) and will check back after its check timeout");
            detail.append("killed with the message ").append(gid).append(" ").append(v.status());
            return gid;
        }
    }

    /** The half message whose payment request carries this order, among the coordinator's ACTIVE ones. */
    private String findMessage(String orderId, long deadline) throws Exception {
        while (System.nanoTime() < deadline) {
            for (TransactionView t : pactum.list(GlobalStatus.ACTIVE, null, 100).transactions()) {
                if (MsgDemo.payloadOf(pactum.get(t.gid())).contains("\"" + orderId + "\"")) {
                    return t.gid();
                }
            }
            Thread.sleep(50);
        }
        throw new IOException("no ACTIVE message at the coordinator carries order " + orderId);
    }

    /** Waits until the check-back has committed the message and it is delivered. */
    boolean awaitRepair(String gid) throws InterruptedException {
        TransactionView v = pactum.awaitFinal(gid, REPAIRED_WITHIN);
        BranchView b = v.branches().isEmpty() ? null : v.branches().get(0);
        say("   the coordinator checked back; the order service's check endpoint answered from the barrier row"
                + " (committed): the message is " + v.status() + (v.status() == GlobalStatus.COMMITTED
                ? " (delivered)" : "") + (b == null || b.attempts() == 0 ? "" : "; " + b.attempts()
                + " attempts recorded on its branch, last error: " + b.lastError()));
        detail.append(", then ").append(v.status());
        return v.status() == GlobalStatus.COMMITTED;
    }
}
