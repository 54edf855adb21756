package dev.pactum.server;

import com.sun.net.httpserver.HttpServer;
import dev.pactum.api.Headers;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * A TCC participant for tests: counts every call per (gid, branch, op) and answers with the status that
 * {@link #answer} picks, so a test can make a branch refuse or stay unreachable for a while.
 */
final class CountingParticipant implements AutoCloseable {
    private final HttpServer server;
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final Map<String, String> bodies = new ConcurrentHashMap<>();
    volatile IntSupplier answer = () -> 200;
    volatile IntSupplier tryAnswer = () -> 200;
    volatile IntSupplier prepareAnswer = () -> 200;

    CountingParticipant() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", ex -> {
            byte[] requestBody = ex.getRequestBody().readAllBytes();
            String op = ex.getRequestURI().getPath().substring(1);
            String key = ex.getRequestHeaders().getFirst(Headers.GID) + "/" + ex.getRequestHeaders().getFirst(Headers.BRANCH_ID)
                    + "/" + op;
            int status = switch (op) {
                case "try" -> tryAnswer.getAsInt();
                case "prepare" -> prepareAnswer.getAsInt();
                default -> answer.getAsInt();
            };
            if (status == 200) {
                calls.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
                bodies.put(key, new String(requestBody, java.nio.charset.StandardCharsets.UTF_8));
            }
            byte[] body = "{}".getBytes();
            ex.sendResponseHeaders(status, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
    }

    String url(String op) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + op;
    }

    int count(String gid, String branch, String op) {
        AtomicInteger n = calls.get(gid + "/" + branch + "/" + op);
        return n == null ? 0 : n.get();
    }

    /** The body of the last successful call of {@code op} to that branch, or null. */
    String lastBody(String gid, String branch, String op) {
        return bodies.get(gid + "/" + branch + "/" + op);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
