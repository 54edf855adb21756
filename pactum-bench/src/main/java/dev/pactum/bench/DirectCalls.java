package dev.pactum.bench;

import dev.pactum.api.BranchOp;
import dev.pactum.api.Headers;
import dev.pactum.client.JettyClients;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http.HttpMethod;

import java.io.IOException;
import java.time.Duration;

/**
 * The baseline's branch calls, made with the same HTTP client, configured the same way, as the SDK and the
 * coordinator use, so the ratio compares the transaction manager with the bare work and not two HTTP stacks.
 */
final class DirectCalls implements AutoCloseable {
    private final HttpClient client;

    DirectCalls() {
        client = JettyClients.start("bench-direct", Duration.ofSeconds(10));
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
