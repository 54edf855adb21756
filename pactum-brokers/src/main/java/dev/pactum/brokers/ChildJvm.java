package dev.pactum.brokers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One broker's child JVM: started from this JVM's java and class path, its output appended to one log file, killed
 * with kill -9. What {@link KafkaBroker} and {@link RocketMqBroker} share; each says what it runs and how it knows
 * it is ready.
 */
final class ChildJvm {
    private final String name;
    private final Path log;
    private Process process;

    /** @param name what runs in it, for messages ("the Kafka broker") */
    ChildJvm(String name, Path log) {
        this.name = name;
        this.log = log;
    }

    /** Starts {@code mainClass} with {@code jvmOptions} and {@code args}; any earlier process must be gone. */
    void start(List<String> jvmOptions, String mainClass, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(args);
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    long pid() {
        return alive() ? process.pid() : -1;
    }

    /** Throws, with the log's tail, unless the process is still running. */
    void requireAlive() {
        if (!alive()) {
            throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log + ":\n"
                    + tail());
        }
    }

    /** Kills it (the readiness wait ran out) and returns the error to throw, with the log's tail. */
    IllegalStateException notReady(String what) throws InterruptedException {
        kill();
        return new IllegalStateException(name + " " + what + ":\n" + tail());
    }

    /** kill -9; waits (bounded) until the process is gone. */
    void kill() throws InterruptedException {
        if (alive()) {
            process.destroyForcibly();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException(name + " did not die within 30 s");
            }
        }
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
