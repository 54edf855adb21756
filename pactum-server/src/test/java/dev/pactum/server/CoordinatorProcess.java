package dev.pactum.server;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real coordinator process ({@link ServerMain}) in a JVM of its own, started on this JVM's class path, that a
 * test can kill with SIGKILL and start again on the same port, store and node id.
 *
 * <p>Every incarnation appends to one log file, after a marker line, so a failure can be read in order. The idea
 * comes from the demo's {@code ChildProcess}; the server's tests cannot depend on pactum-demo. Public for the
 * message crash tests ({@code dev.pactum.server.msgcrash}).
 */
public final class CoordinatorProcess implements AutoCloseable {
    private final String mainClass;
    private final List<String> serverArgs;
    private final Path log;
    private final int port;
    private Process process;
    private int incarnation;

    /**
     * @param serverArgs the arguments of {@link ServerMain} other than {@code --port}
     * @param log        where every incarnation's output goes (appended)
     */
    public CoordinatorProcess(List<String> serverArgs, Path log) throws IOException {
        this(ServerMain.class, serverArgs, log);
    }

    /**
     * Another main on this class path that takes {@code --port} and answers {@code GET /health} there, started,
     * killed and restarted the same way (the message crash tests' producer).
     */
    public CoordinatorProcess(Class<?> main, List<String> serverArgs, Path log) throws IOException {
        this.mainClass = main.getName();
        this.serverArgs = List.copyOf(serverArgs);
        this.log = log;
        this.port = freePort();
        Files.createDirectories(log.getParent());
        Files.deleteIfExists(log);
    }

    public int port() {
        return port;
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public Path log() {
        return log;
    }

    /** Starts the process and waits until {@code GET /health} answers 200. */
    public void start(Duration maxWait) throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(what() + " is still running (pid " + process.pid() + ")");
        }
        incarnation++;
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("--enable-native-access=ALL-UNNAMED"); // RocksDB loads native code
        cmd.add("-XX:+UseSerialGC"); // two cores are shared by this JVM, the coordinator and the databases
        cmd.add("-Xmx512m");
        cmd.add("-XX:TieredStopAtLevel=1"); // C1 only: a test process starts sooner and compiles less on 2 cores
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.add("--port");
        cmd.add(Integer.toString(port));
        cmd.addAll(serverArgs);
        Files.writeString(log, "===== incarnation " + incarnation + " starting at " + Instant.now() + ": "
                        + String.join(" ", cmd.subList(cmd.indexOf(mainClass), cmd.size())) + "\n",
                StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        awaitHealthy(maxWait);
    }

    private void awaitHealthy(Duration maxWait) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + maxWait.toNanos();
        HttpRequest health = HttpRequest.newBuilder(uri().resolve("/health")).timeout(Duration.ofSeconds(2)).build();
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build()) {
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IOException(what() + " incarnation " + incarnation + " exited with "
                            + process.exitValue() + " during start; see " + log);
                }
                try {
                    if (http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        return;
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
                Thread.sleep(50);
            }
        }
        throw new IOException(what() + " incarnation " + incarnation + " did not become healthy within " + maxWait
                + "; see " + log);
    }

    /** SIGKILL, as a crash: no shutdown hook, no flush, no goodbye to the database. Waits until it is gone. */
    public void kill() throws InterruptedException, IOException {
        Process p = process;
        p.destroyForcibly();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("coordinator pid " + p.pid() + " survived SIGKILL for 30 s");
        }
        Files.writeString(log, "===== incarnation " + incarnation + " killed (SIGKILL) at " + Instant.now()
                + ", exit " + p.exitValue() + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    /** Waits (bounded) for the process to end by itself; its exit status, or -1 if it still runs after {@code max}. */
    public int awaitExit(Duration max) throws InterruptedException, IOException {
        Process p = process;
        if (!p.waitFor(max.toMillis(), TimeUnit.MILLISECONDS)) {
            return -1;
        }
        Files.writeString(log, "===== incarnation " + incarnation + " exited by itself at " + Instant.now()
                + ", exit " + p.exitValue() + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        return p.exitValue();
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Stops the last incarnation politely (SIGTERM, its shutdown hook closes the store), forcibly if it lingers. */
    @Override
    public void close() {
        Process p = process;
        if (p == null || !p.isAlive()) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(15, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
    }

    private String what() {
        return mainClass.substring(mainClass.lastIndexOf('.') + 1);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }
}
