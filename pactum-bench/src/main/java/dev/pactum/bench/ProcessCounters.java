package dev.pactum.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * CPU time and context switches of one process (all its threads) and of the whole machine, read from Linux's
 * /proc. The benchmark divides the difference of two readings by the committed transactions in between: the
 * coordinator's cost per transaction, which the issue asks to drive down (hand-offs show up as context switches).
 *
 * <p>Threads that end between two readings take their switch counts with them; the coordinator's threads
 * (selector, carriers, store writer) live for the whole run, so this undercounts little. Where /proc is missing
 * every reading is {@link #UNKNOWN}.
 *
 * <p>{@code jitCpuMillis} is the part of the CPU time spent by the JIT's compiler threads, which keep compiling long
 * after start, and longer on a busy machine: reported apart, so that a comparison of two builds can leave it out.
 */
record ProcessCounters(long cpuMillis, long jitCpuMillis, long contextSwitches, long machineContextSwitches) {
    static final ProcessCounters UNKNOWN = new ProcessCounters(-1, -1, -1, -1);
    /** USER_HZ: the unit of utime and stime in /proc/PID/stat; 100 on every Linux build we run on. */
    private static final int TICKS_PER_SECOND = 100;

    static ProcessCounters read(long pid) {
        try {
            long cpu = cpuMillis(pid);
            long[] perThread = threadCounters(pid);
            return new ProcessCounters(cpu, perThread[0], perThread[1], readMachineContextSwitches());
        } catch (IOException | RuntimeException e) {
            return UNKNOWN;
        }
    }

    boolean known() {
        return cpuMillis >= 0;
    }

    ProcessCounters minus(ProcessCounters before) {
        if (!known() || !before.known()) {
            return UNKNOWN;
        }
        return new ProcessCounters(cpuMillis - before.cpuMillis, jitCpuMillis - before.jitCpuMillis,
                contextSwitches - before.contextSwitches, machineContextSwitches - before.machineContextSwitches);
    }

    private static long cpuMillis(long pid) throws IOException {
        return ticksOf(Files.readString(Path.of("/proc", Long.toString(pid), "stat"))) * 1000 / TICKS_PER_SECOND;
    }

    /** utime + stime of a /proc stat line, in ticks. */
    private static long ticksOf(String stat) {
        // The command name (field 2) is in parentheses and may contain spaces: count fields after its ')'.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14 and 15 of the line)
    }

    /** The CPU milliseconds of the JIT's compiler threads, and the context switches of all threads. */
    private static long[] threadCounters(long pid) throws IOException {
        long jitTicks = 0;
        long switches = 0;
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path t : tasks.toList()) {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
                        jitTicks += ticksOf(stat);
                    }
                    for (String line : Files.readAllLines(t.resolve("status"))) {
                        if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) {
                            switches += Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
                        }
                    }
                } catch (IOException threadEnded) {
                    // the thread ended while we listed: its counts are gone either way
                }
            }
        }
        return new long[]{jitTicks * 1000 / TICKS_PER_SECOND, switches};
    }

    private static long readMachineContextSwitches() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
            if (line.startsWith("ctxt ")) {
                return Long.parseLong(line.substring(5).strip());
            }
        }
        return -1;
    }
}
