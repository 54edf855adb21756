package dev.pactum.bench;

import dev.pactum.api.BranchOp;
import dev.pactum.api.Headers;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.io.IOException;
import java.util.concurrent.Executors;

/**
 * The baseline's branch calls, made with the same HTTP client, configured the same way, as the SDK and the
 * coordinator use, so the ratio compares the transaction manager with the bare work and not two HTTP stacks.
 */
final class DirectCalls implements AutoCloseable {
    private final HttpClient client;

    DirectCalls() throws Exception {
        ClientConnector connector = new ClientConnector();
        connector.setSelectors(1);
        client = new HttpClient(new HttpClientTransportOverHTTP(connector));
        QueuedThreadPool pool = new QueuedThreadPool(32, 4);
        pool.setName("bench-direct");
        pool.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
        client.setExecutor(pool);
        client.setMaxConnectionsPerDestination(256);
        client.start();
    }

    void call(String url, String gid, String branch, BranchOp op) throws Exception {
        ContentResponse r = client.newRequest(url).method(HttpMethod.POST)
                .headers(h -> h.put(Headers.GID, gid).put(Headers.BRANCH_ID, branch).put(Headers.OP, op.wire()))
                .body(new StringRequestContent("application/json", "{}"))
                .send();
        if (r.getStatus() != 200) {
            throw new IOException(op.wire() + " answered " + r.getStatus());
        }
    }

    @Override
    public void close() throws Exception {
        client.stop();
    }
}
