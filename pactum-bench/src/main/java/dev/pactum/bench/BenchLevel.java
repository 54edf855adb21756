package dev.pactum.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The figures of one concurrency level: throughput and latency of the coordinator and of the bare work, and what
 * one committed transaction cost (calls, store writes, fsyncs, coordinator CPU, the part of it the JIT compiler took,
 * and context switches), and what it cost the load generator's own process (the SDK's side, and the no-op
 * participants, which run in it: CPU without the JIT's, context switches). A cost the run could not observe is NaN
 * and printed as "n/a".
 */
record BenchLevel(int concurrency, long committed, long errors, double tps, double p50Ms, double p99Ms,
                  double drainS, double baselineTps, double baselineP50Ms, double baselineP99Ms,
                  double coordinatorCallsPerTx, double branchCallsPerTx, double storeWritesPerTx,
                  double fsyncsPerTx, double coordinatorCpuMsPerTx, double coordinatorJitCpuMsPerTx,
                  double coordinatorCtxSwitchesPerTx, double machineCtxSwitchesPerTx,
                  double baselineMachineCtxSwitchesPerTx, double loadGenCpuMsPerTx,
                  double loadGenCtxSwitchesPerTx, String firstError) {

    double ratio() {
        return baselineTps > 0 ? tps / baselineTps : Double.NaN;
    }

    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("concurrency", concurrency);
        m.put("tps", round(tps));
        m.put("p50Ms", round(p50Ms));
        m.put("p99Ms", round(p99Ms));
        m.put("committed", committed);
        m.put("errors", errors);
        m.put("baselineTps", round(baselineTps));
        m.put("baselineP50Ms", round(baselineP50Ms));
        m.put("baselineP99Ms", round(baselineP99Ms));
        m.put("ratio", round(ratio()));
        m.put("coordinatorCallsPerTx", round(coordinatorCallsPerTx));
        m.put("branchCallsPerTx", round(branchCallsPerTx));
        m.put("storeWritesPerTx", round(storeWritesPerTx));
        m.put("fsyncsPerTx", round(fsyncsPerTx));
        m.put("coordinatorCpuMsPerTx", round(coordinatorCpuMsPerTx));
        m.put("coordinatorJitCpuMsPerTx", round(coordinatorJitCpuMsPerTx));
        m.put("coordinatorCtxSwitchesPerTx", round(coordinatorCtxSwitchesPerTx));
        m.put("machineCtxSwitchesPerTx", round(machineCtxSwitchesPerTx));
        m.put("baselineMachineCtxSwitchesPerTx", round(baselineMachineCtxSwitchesPerTx));
        m.put("loadGenCpuMsPerTx", round(loadGenCpuMsPerTx));
        m.put("loadGenCtxSwitchesPerTx", round(loadGenCtxSwitchesPerTx));
        return m;
    }

    static String fmt(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.2f", v);
    }

    /** Two decimals; NaN stays NaN (written as null in JSON). */
    static double round(double v) {
        return Double.isNaN(v) ? v : Math.round(v * 100) / 100.0;
    }
}
