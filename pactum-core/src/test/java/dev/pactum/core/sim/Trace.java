package dev.pactum.core.sim;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A compact account of one schedule: one line per step and per notable answer, printed when a check fails. */
final class Trace {
    private final Instant start;
    private final List<String> lines = new ArrayList<>();

    Trace(Instant start) {
        this.start = start;
    }

    void add(Instant at, int depth, String who, String what) {
        long ms = Duration.between(start, at).toMillis();
        lines.add(String.format("%7d.%03d %s%-6s %s", ms / 1000, ms % 1000, "  ".repeat(Math.max(depth - 1, 0)), who,
                what));
    }

    List<String> lines() {
        return List.copyOf(lines);
    }

    /** The last {@code n} lines, or all of them. */
    String tail(int n) {
        List<String> l = lines.subList(Math.max(0, lines.size() - n), lines.size());
        return (lines.size() > n ? "... (" + (lines.size() - n) + " earlier lines)\n" : "") + String.join("\n", l);
    }
}
