package dev.pactum.bench;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.LongAdder;

/**
 * A participant that does nothing but answer 200 to Try, Confirm and Cancel, so the benchmark measures the
 * transaction manager and the HTTP round trips, not business work. Counts what it was asked to do.
 */
final class NoopParticipant implements AutoCloseable {
    private static final ByteBuffer OK = ByteBuffer.wrap("{}".getBytes(StandardCharsets.UTF_8)).asReadOnlyBuffer();

    private final Server server;
    private final ServerConnector connector;
    final LongAdder tries = new LongAdder();
    final LongAdder confirms = new LongAdder();
    final LongAdder cancels = new LongAdder();

    NoopParticipant() throws Exception {
        QueuedThreadPool pool = new QueuedThreadPool(64, 8);
        pool.setName("noop-participant");
        server = new Server(pool);
        connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        connector.setAcceptQueueSize(1024);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                String path = Request.getPathInContext(request);
                switch (path) {
                    case "/try" -> tries.increment();
                    case "/confirm" -> confirms.increment();
                    case "/cancel" -> cancels.increment();
                    default -> {
                        response.setStatus(404);
                        callback.succeeded();
                        return true;
                    }
                }
                // The request body is small and ignored: Jetty discards what is left when the response completes.
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                response.write(true, OK.slice(), callback);
                return true;
            }
        });
        server.start();
    }

    String url(String op) {
        return "http://127.0.0.1:" + connector.getLocalPort() + "/" + op;
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
