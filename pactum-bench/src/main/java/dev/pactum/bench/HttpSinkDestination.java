package dev.pactum.bench;

import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.net.URI;
import java.util.function.Consumer;

/**
 * The HTTP destination: an endpoint that records each message's receipt and answers 200 (delivered), the consumer
 * a service would run behind the HTTP connector, minus its inbox.
 */
final class HttpSinkDestination implements MsgDestination {
    private final LoopbackServer server;

    HttpSinkDestination(Consumer<String> onReceipt) throws Exception {
        server = new LoopbackServer("bench-sink", false, new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                String id = request.getHeaders().get(ID_HEADER);
                if (id == null) {
                    LoopbackServer.answer(response, 400, callback);
                    return true;
                }
                onReceipt.accept(id);
                // The body (the payload) is small and ignored: Jetty discards what is left when the response completes.
                LoopbackServer.answer(response, 200, callback);
                return true;
            }
        });
    }

    @Override
    public URI uri() {
        return URI.create(server.url("/sink"));
    }

    @Override
    public String rawPublishIs() {
        return "plain HTTP POST to the same endpoint, Jetty client (the HTTP connector)";
    }

    @Override
    public void close() throws Exception {
        server.close();
    }
}
