package dev.pactum.server.invoke;

import dev.pactum.api.Headers;
import dev.pactum.api.Outcome;
import dev.pactum.core.spi.BranchCall;
import dev.pactum.core.spi.BranchInvoker;
import dev.pactum.core.spi.CallResult;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Phase-2 calls over HTTP with the JDK client: POST {@code {"gid","branchId","op"}} to the branch's URL with
 * the ids as headers and a W3C {@code traceparent} whose trace id is derived from the gid, so every call of
 * one global transaction lands in one trace.
 *
 * <p>The client runs on virtual threads: with its default executor it costs about twice the CPU per exchange.
 */
public final class HttpBranchInvoker implements BranchInvoker {
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpClient client;
    private final Duration timeout;

    public HttpBranchInvoker(Duration timeout) {
        this.timeout = timeout;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .executor(executor)
                .build();
    }

    @Override
    public CallResult invoke(BranchCall call) {
        String body = "{\"gid\":\"" + call.gid() + "\",\"branchId\":\"" + call.branchId() + "\",\"op\":\""
                + call.op().wire() + "\"}"; // ids are checked to hold no characters that need escaping
        HttpRequest req;
        try {
            req = HttpRequest.newBuilder(URI.create(call.url()))
                    .timeout(timeout)
                    .header("Content-Type", "application/json")
                    .header(Headers.GID, call.gid())
                    .header(Headers.BRANCH_ID, call.branchId())
                    .header(Headers.OP, call.op().wire())
                    .header(Headers.TRACEPARENT, traceparent(call.gid()))
                    .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                    .build();
        } catch (IllegalArgumentException e) {
            return CallResult.noAnswer("bad URL " + call.url() + ": " + e.getMessage());
        }
        try {
            HttpResponse<String> resp = client.send(req, HttpResponse.BodyHandlers.ofString());
            Outcome o = Outcome.fromHttpStatus(resp.statusCode());
            String detail = o == Outcome.SUCCESS ? null
                    : "HTTP " + resp.statusCode() + " from " + call.op().wire() + ": " + abbreviate(resp.body());
            return new CallResult(o, resp.statusCode(), detail);
        } catch (HttpTimeoutException e) {
            return CallResult.noAnswer("no answer from " + call.url() + " within " + timeout.toMillis() + " ms");
        } catch (IOException e) {
            return CallResult.noAnswer(e.getClass().getSimpleName() + " calling " + call.url() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CallResult.noAnswer("interrupted calling " + call.url());
        }
    }

    static String traceparent(String gid) {
        String trace = UUID.nameUUIDFromBytes(gid.getBytes(StandardCharsets.UTF_8)).toString().replace("-", "");
        return "00-" + trace + "-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()) + "-01";
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "";
        }
        return s.length() <= 200 ? s : s.substring(0, 197) + "...";
    }

    @Override
    public void close() {
        client.close();
        executor.shutdownNow();
    }
}
