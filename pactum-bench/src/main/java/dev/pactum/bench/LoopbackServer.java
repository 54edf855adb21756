package dev.pactum.bench;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * A Jetty server on 127.0.0.1 and a free port, for the benchmark's own endpoints (no-op participants, XA
 * participants, the producer's check endpoint, the HTTP sink of messages). The same server the coordinator runs,
 * so the benchmark's side of every exchange costs what a real service's would.
 */
final class LoopbackServer implements AutoCloseable {
    private static final ByteBuffer EMPTY_JSON = ByteBuffer.wrap("{}".getBytes(StandardCharsets.UTF_8)).asReadOnlyBuffer();

    private final Server server;
    private final ServerConnector connector;

    /**
     * @param virtualThreads run handlers on virtual threads (handlers that block on a database); a non-blocking
     *                       handler runs on the pool's own threads
     */
    LoopbackServer(String name, boolean virtualThreads, Handler handler) throws Exception {
        QueuedThreadPool pool = new QueuedThreadPool(64, 8);
        pool.setName(name);
        if (virtualThreads) {
            pool.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
        }
        server = new Server(pool);
        connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        connector.setAcceptQueueSize(1024);
        server.addConnector(connector);
        server.setHandler(handler);
        server.start();
    }

    /** Answers {@code status} with the body {@code {}}. */
    static void answer(Response response, int status, Callback callback) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, EMPTY_JSON.slice(), callback);
    }

    String url(String path) {
        return "http://127.0.0.1:" + connector.getLocalPort() + path;
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
