package dev.pactum.bench;

import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.util.concurrent.atomic.LongAdder;

/**
 * A participant that does nothing but answer 200 to Try, Confirm and Cancel, so the benchmark measures the
 * transaction manager and the HTTP round trips, not business work. Counts what it was asked to do.
 */
final class NoopParticipant implements AutoCloseable {
    private final LoopbackServer server;
    final LongAdder tries = new LongAdder();
    final LongAdder confirms = new LongAdder();
    final LongAdder cancels = new LongAdder();

    NoopParticipant() throws Exception {
        server = new LoopbackServer("noop-participant", false, new Handler.Abstract.NonBlocking() {
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
                LoopbackServer.answer(response, 200, callback);
                return true;
            }
        });
    }

    String url(String op) {
        return server.url("/" + op);
    }

    @Override
    public void close() throws Exception {
        server.close();
    }
}
