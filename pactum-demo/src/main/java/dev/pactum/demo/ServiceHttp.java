package dev.pactum.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.pactum.api.ErrorBody;
import dev.pactum.api.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * The demo services' HTTP layer: the JDK's own server on virtual threads, exact-path routes, JSON in and out.
 * Good enough for a demo (about 70k small requests per second here); the coordinator itself uses Jetty.
 */
final class ServiceHttp implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ServiceHttp.class);

    /** One request: the branch headers are read once here so handlers need not. */
    record Call(String method, String path, String gid, String branchId, byte[] body,
                com.sun.net.httpserver.Headers headers) {
        <T> T read(Class<T> type) throws IOException {
            return DemoJson.MAPPER.readValue(body.length == 0 ? "{}".getBytes() : body, type);
        }
    }

    record Reply(int status, Object body) {
        static Reply ok(Object body) {
            return new Reply(200, body);
        }

        static Reply error(int status, String code, String message) {
            return new Reply(status, new ErrorBody(code, message, null, null, null));
        }
    }

    @FunctionalInterface
    interface Handler {
        Reply handle(Call call) throws Exception;
    }

    private final HttpServer server;

    ServiceHttp(String name, int port, Map<String, Handler> routes) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 1024);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", ex -> dispatch(name, routes, ex));
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private static void dispatch(String name, Map<String, Handler> routes, HttpExchange ex) throws IOException {
        Reply reply;
        try (ex) {
            String path = ex.getRequestURI().getPath();
            Handler h = routes.get(ex.getRequestMethod() + " " + path);
            byte[] body = ex.getRequestBody().readAllBytes();
            if (h == null) {
                reply = Reply.error(404, "not_found", "no route " + ex.getRequestMethod() + " " + path);
            } else {
                var hd = ex.getRequestHeaders();
                try {
                    reply = h.handle(new Call(ex.getRequestMethod(), path, hd.getFirst(Headers.GID),
                            hd.getFirst(Headers.BRANCH_ID), body, hd));
                } catch (Exception e) {
                    // Unknown outcome for the caller: a 500 makes the coordinator retry, which the barrier allows.
                    log.warn("{} {} failed: {}", name, path, e.toString());
                    reply = Reply.error(500, "internal", e.toString());
                }
            }
            byte[] out = DemoJson.MAPPER.writeValueAsBytes(reply.body());
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(reply.status(), out.length);
            ex.getResponseBody().write(out);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
