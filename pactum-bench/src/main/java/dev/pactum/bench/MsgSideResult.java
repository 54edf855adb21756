package dev.pactum.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import static dev.pactum.bench.BenchLevel.round;

/**
 * One side's figures in one level of the message benchmark: how many sends were answered ({@code sent}) in the
 * window, how many of those the consumer received ({@code delivered}, waited for after the window: {@code drainS}),
 * the send call's latency, the latency from its answer to the receipt and from its start to the receipt (the
 * whole wait of a caller until the consumer has it), and the benchmark process's own CPU per
 * message (producers and consumer; the coordinator's is counted apart), with the CPU of the process that plays the
 * coordinator's part where the side has one (RocketMQ's broker; NaN otherwise), and that broker's check-backs per
 * message (NaN where not counted).
 */
record MsgSideResult(String side, long sent, long errors, String firstError, double seconds, double drainS,
                     long delivered, long duplicates, double sendP50Ms, double sendP99Ms, double e2eP50Ms,
                     double e2eP99Ms, double fromStartP50Ms, double fromStartP99Ms, double benchCpuMsPerMsg,
                     double serverCpuMsPerMsg, double checkBacksPerMsg) {

    /** Sends answered per second of the window. */
    double sentPerS() {
        return sent / seconds;
    }

    /** Messages received per second, the window plus the wait for the last ones: end to end. */
    double deliveredPerS() {
        return delivered / (seconds + drainS);
    }

    String line(String sentVerb, String latencyFrom) {
        return String.format(Locale.ROOT, "%s: %,.0f msg/s delivered end to end (%,.0f %s/s); to consumer p50 / p99:"
                        + " from %s %.2f / %.2f ms, from the send's start %.2f / %.2f ms; send p50 / p99 %.2f / %.2f ms"
                        + "%n      (%d sent, %d delivered, %d duplicates, %d errors, drain %.2f s; load generator %s CPU"
                        + " ms/msg%s)",
                side, deliveredPerS(), sentPerS(), sentVerb, latencyFrom, e2eP50Ms, e2eP99Ms, fromStartP50Ms,
                fromStartP99Ms, sendP50Ms, sendP99Ms,
                sent, delivered, duplicates, errors, drainS, BenchLevel.fmt(benchCpuMsPerMsg),
                (Double.isNaN(serverCpuMsPerMsg) ? "" : ", broker " + BenchLevel.fmt(serverCpuMsPerMsg) + " CPU ms/msg")
                        + (Double.isNaN(checkBacksPerMsg) ? "" : ", " + BenchLevel.fmt(checkBacksPerMsg)
                        + " check-backs/msg"))
                + (firstError == null ? "" : "\n          first error: " + firstError);
    }

    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("deliveredPerS", round(deliveredPerS()));
        m.put("sentPerS", round(sentPerS()));
        m.put("p50Ms", round(e2eP50Ms));
        m.put("p99Ms", round(e2eP99Ms));
        m.put("fromStartP50Ms", round(fromStartP50Ms));
        m.put("fromStartP99Ms", round(fromStartP99Ms));
        m.put("sendP50Ms", round(sendP50Ms));
        m.put("sendP99Ms", round(sendP99Ms));
        m.put("sent", sent);
        m.put("delivered", delivered);
        m.put("duplicates", duplicates);
        m.put("errors", errors);
        m.put("drainS", round(drainS));
        m.put("benchCpuMsPerMsg", round(benchCpuMsPerMsg));
        m.put("serverCpuMsPerMsg", round(serverCpuMsPerMsg));
        m.put("checkBacksPerMsg", round(checkBacksPerMsg));
        return m;
    }
}
