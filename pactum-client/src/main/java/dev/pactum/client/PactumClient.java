package dev.pactum.client;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.pactum.api.AbortRequest;
import dev.pactum.api.BeginRequest;
import dev.pactum.api.BranchRequest;
import dev.pactum.api.BranchView;
import dev.pactum.api.ConflictException;
import dev.pactum.api.ErrorBody;
import dev.pactum.api.GlobalStatus;
import dev.pactum.api.InvalidInputException;
import dev.pactum.api.NotFoundException;
import dev.pactum.api.PactumException;
import dev.pactum.api.SubmitRequest;
import dev.pactum.api.TransactionList;
import dev.pactum.api.TransactionView;
import dev.pactum.api.TxPattern;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The Java client of the coordinator's HTTP API.
 *
 * <pre>{@code
 * try (PactumClient pactum = PactumClient.connect(URI.create("http://127.0.0.1:7070"))) {
 *     pactum.tcc(Duration.ofSeconds(30), tx -> {
 *         tx.tryBranch("payment", paymentUrl + "/try", paymentUrl + "/confirm", paymentUrl + "/cancel", body);
 *         tx.tryBranch("stock", stockUrl + "/try", stockUrl + "/confirm", stockUrl + "/cancel", body);
 *     }); // submits when the lambda returns, aborts when it throws
 * }
 * }</pre>
 *
 * Errors of the coordinator come back as the exceptions of pactum-api ({@link InvalidInputException} naming the
 * field, {@link NotFoundException}, {@link ConflictException} naming the status). Thread-safe; share one.
 */
public final class PactumClient implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES); // newer servers may add fields

    private final String base;
    private final HttpTransport http;

    private PactumClient(String base, Duration requestTimeout) {
        this.base = base;
        this.http = new HttpTransport(requestTimeout);
    }

    public static PactumClient connect(URI coordinator) {
        // Longer than the coordinator's default branch timeout (10 s): an XA submit waits for the slowest prepare.
        return connect(coordinator, Duration.ofSeconds(30));
    }

    public static PactumClient connect(URI coordinator, Duration requestTimeout) {
        Objects.requireNonNull(coordinator, "coordinator");
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("requestTimeout must be positive, was " + requestTimeout);
        }
        String s = coordinator.toString();
        return new PactumClient(s.endsWith("/") ? s.substring(0, s.length() - 1) : s, requestTimeout);
    }

    /** Begins a TCC transaction with a server-made id. */
    public TccTransaction beginTcc(Duration timeout) {
        return beginTcc(null, timeout);
    }

    /** Begins a TCC transaction; a repeat with the same {@code gid} answers with the stored one. */
    public TccTransaction beginTcc(String gid, Duration timeout) {
        TransactionView v = begin(new BeginRequest(gid, TxPattern.TCC, timeout == null ? null : timeout.toMillis()));
        return new TccTransaction(this, v.gid());
    }

    /** Begins an XA transaction with a server-made id. */
    public XaTransaction beginXa(Duration timeout) {
        TransactionView v = begin(new BeginRequest(null, TxPattern.XA, timeout == null ? null : timeout.toMillis()));
        return new XaTransaction(this, v.gid());
    }

    /**
     * Runs {@code body} inside a new XA transaction, then submits: the answer carries the coordinator's decision
     * (COMMITTING when every branch prepared, ABORTING otherwise). When {@code body} throws, the transaction is
     * aborted and the exception rethrown.
     */
    public TransactionView xa(Duration timeout, XaBody body) {
        XaTransaction tx = beginXa(timeout);
        return runThenSubmit("XA", tx.gid(), () -> body.run(tx), tx::abort, tx::submit);
    }

    /** The body of {@link #xa}: makes each branch's business call through the transaction it is given. */
    @FunctionalInterface
    public interface XaBody {
        void run(XaTransaction tx) throws Exception;
    }

    public TransactionView begin(BeginRequest req) {
        return post("/api/v1/transactions", req, TransactionView.class);
    }

    /**
     * Runs {@code body} inside a new TCC transaction: submits when it returns, aborts (and rethrows) when it
     * throws. Returns the transaction as the coordinator recorded the decision.
     */
    public TransactionView tcc(Duration timeout, TccBody body) {
        TccTransaction tx = beginTcc(timeout);
        return runThenSubmit("TCC", tx.gid(), () -> body.run(tx), tx::abort, tx::submit);
    }

    @FunctionalInterface
    private interface Body {
        void run() throws Exception;
    }

    /** Runs a transaction's body; submits when it returns, aborts (and rethrows) when it throws. */
    private static TransactionView runThenSubmit(String pattern, String gid, Body body,
                                                 java.util.function.Function<String, TransactionView> abort,
                                                 java.util.function.Supplier<TransactionView> submit) {
        try {
            body.run();
        } catch (Exception e) {
            try {
                abort.apply(e.getClass().getSimpleName() + ": " + e.getMessage());
            } catch (RuntimeException abortFailure) {
                // The coordinator's timeout aborts it anyway; keep the original cause in front.
                e.addSuppressed(abortFailure);
            }
            if (e instanceof RuntimeException re) {
                throw re;
            }
            throw new PactumException("body_failed", pattern + " body of " + gid + " failed: " + e.getMessage(), e);
        }
        return submit.get();
    }

    /** The body of {@link #tcc}: calls Trys through the transaction it is given. */
    @FunctionalInterface
    public interface TccBody {
        void run(TccTransaction tx) throws Exception;
    }

    public BranchView registerBranch(String gid, BranchRequest req) {
        return post("/api/v1/transactions/" + gid + "/branches", req, BranchView.class);
    }

    public TransactionView submit(String gid, List<String> tried) {
        return post("/api/v1/transactions/" + gid + "/submit", new SubmitRequest(tried), TransactionView.class);
    }

    public TransactionView abort(String gid, String reason) {
        return post("/api/v1/transactions/" + gid + "/abort", new AbortRequest(reason), TransactionView.class);
    }

    public TransactionView get(String gid) {
        return send("GET", "/api/v1/transactions/" + gid, null, TransactionView.class);
    }

    public TransactionList list(GlobalStatus status, String after, int limit) {
        StringBuilder q = new StringBuilder("/api/v1/transactions?limit=").append(limit);
        if (status != null) {
            q.append("&status=").append(status.name());
        }
        if (after != null) {
            q.append("&after=").append(URLEncoder.encode(after, StandardCharsets.UTF_8));
        }
        return send("GET", q.toString(), null, TransactionList.class);
    }

    /** Waits until the transaction is COMMITTED or ABORTED, or {@code max} has passed; returns the last view. */
    public TransactionView awaitFinal(String gid, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        long pause = 5;
        TransactionView v = get(gid);
        while (!v.status().isFinal() && System.nanoTime() < deadline) {
            Thread.sleep(pause);
            pause = Math.min(pause * 2, 200);
            v = get(gid);
        }
        return v;
    }

    HttpTransport http() {
        return http;
    }

    private <T> T post(String path, Object body, Class<T> type) {
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot encode " + body, e);
        }
        return send("POST", path, json, type);
    }

    private <T> T send(String method, String path, byte[] json, Class<T> type) {
        HttpTransport.Answer a;
        try {
            a = json == null ? http.get(base + path) : http.post(base + path, Map.of(), json);
        } catch (IOException e) {
            throw new PactumException("unreachable", "coordinator " + base + " did not answer " + method + " "
                    + path + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PactumException("interrupted", "interrupted calling the coordinator", e);
        }
        try {
            if (a.status() >= 200 && a.status() < 300) {
                return JSON.readValue(a.body(), type);
            }
            throw toException(a.status(), a.body());
        } catch (IOException e) {
            throw new PactumException("bad_answer", "unreadable answer (HTTP " + a.status() + ") to " + method + " "
                    + base + path + ": " + e.getMessage(), e);
        }
    }

    private static PactumException toException(int status, byte[] body) {
        ErrorBody e;
        try {
            e = JSON.readValue(body, ErrorBody.class);
        } catch (IOException x) {
            return new PactumException("http_" + status, "HTTP " + status + ": "
                    + new String(body, StandardCharsets.UTF_8), null, null);
        }
        return switch (status) {
            case 400 -> new InvalidInputException(e.field(), e.message());
            case 404 -> new NotFoundException(e.message(), e.gid());
            case 409 -> new ConflictException(e.message(), e.gid(), e.status());
            default -> new PactumException(e.error(), "HTTP " + status + ": " + e.message(), e.gid(), e.status());
        };
    }

    @Override
    public void close() {
        http.close();
    }
}
