package dev.pactum.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.pactum.bench.BenchLevel.round;

/**
 * One concurrency level of the message benchmark: Pactum's side with what one committed message cost the
 * coordinator (calls, deliveries and check-backs, store writes, fsyncs, CPU, context switches; NaN where the run
 * could not observe it), the raw publish beside it, and RocketMQ's transactional send when it ran (else null).
 */
record MsgLevel(int concurrency, MsgSideResult pactum, double coordinatorCallsPerMsg, double branchCallsPerMsg,
                double storeWritesPerMsg, double fsyncsPerMsg, double coordinatorCpuMsPerMsg,
                double coordinatorCtxSwitchesPerMsg, MsgSideResult raw, MsgSideResult rocketMq) {

    /** Pactum's, the raw publish's and RocketMQ's when it ran. */
    List<MsgSideResult> sides() {
        return rocketMq == null ? List.of(pactum, raw) : List.of(pactum, raw, rocketMq);
    }

    double ratioToRaw() {
        return ratio(raw);
    }

    double ratioToRocketMq() {
        return ratio(rocketMq);
    }

    private double ratio(MsgSideResult other) {
        return other != null && other.deliveredPerS() > 0 ? pactum.deliveredPerS() / other.deliveredPerS() : Double.NaN;
    }

    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("concurrency", concurrency);
        m.putAll(pactum.json());
        m.put("coordinatorCallsPerMsg", round(coordinatorCallsPerMsg));
        m.put("branchCallsPerMsg", round(branchCallsPerMsg));
        m.put("storeWritesPerMsg", round(storeWritesPerMsg));
        m.put("fsyncsPerMsg", round(fsyncsPerMsg));
        m.put("coordinatorCpuMsPerMsg", round(coordinatorCpuMsPerMsg));
        m.put("coordinatorCtxSwitchesPerMsg", round(coordinatorCtxSwitchesPerMsg));
        m.put("rawPublish", raw.json());
        m.put("rocketmqTransactional", rocketMq == null ? null : rocketMq.json());
        m.put("ratioToRawPublish", round(ratioToRaw()));
        m.put("ratioToRocketMq", round(ratioToRocketMq()));
        return m;
    }
}
