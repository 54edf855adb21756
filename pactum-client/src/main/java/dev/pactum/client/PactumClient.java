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
import dev.pactum.api.PactumException;
import dev.pactum.api.SubmitRequest;
import dev.pactum.api.TransactionList;
import dev.pactum.api.TransactionView;
import dev.pactum.api.TxPattern;
import dev.pactum.api.UnknownTransactionException;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The Java client of the coordinator's API, over HTTP ({@code http://host:port}) or the coordinator's binary wire
 * protocol ({@code pactum://host:port}, the port the coordinator opens with {@code --wire-port}; docs/wire.md): the
 * same requests and answers, the second multiplexed over a few connections, leaner under load
 * (docs/benchmarks.md). Branch calls (a TCC Try) go over HTTP to the participants either way.
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
 * field, {@link UnknownTransactionException}, {@link ConflictException} naming the status). Thread-safe; share one.
 *
 * <p>An answer is given one of those meanings only when it is unmistakably the coordinator's answer about the
 * transaction asked for: the status and the error code agree, and the gid in the body is the gid of the request.
 * A gateway's JSON 404, a wrong base path (the coordinator's own {@code no_route}), a 2xx whose body is not about
 * that transaction: each is a plain {@link PactumException} (code {@code http_<status>} or {@code bad_answer}),
 * which means "no usable answer; the outcome is unknown, ask again".
 */
public final class PactumClient implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES); // newer servers may add fields

    private final String base;
    private final HttpTransport http;
    private final CoordinatorTransport coordinator;

    private PactumClient(URI address, String base, Duration requestTimeout) {
        this.http = new HttpTransport(requestTimeout);
        if (WireCoordinatorTransport.SCHEME.equalsIgnoreCase(address.getScheme())) {
            WireCoordinatorTransport wire;
            try {
                wire = new WireCoordinatorTransport(address, requestTimeout);
            } catch (RuntimeException e) {
                http.close();
                throw e;
            }
            this.coordinator = wire;
        } else {
            this.coordinator = new HttpCoordinatorTransport(base, http);
        }
        this.base = coordinator.base();
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
        return new PactumClient(coordinator, s.endsWith("/") ? s.substring(0, s.length() - 1) : s, requestTimeout);
    }

    /** Begins a TCC transaction with a server-made id. */
    public TccTransaction beginTcc(Duration timeout) {
        return beginTcc(null, timeout);
    }

    /** Begins a TCC transaction; a repeat with the same {@code gid} answers with the stored one. */
    public TccTransaction beginTcc(String gid, Duration timeout) {
        TransactionView v = begin(new BeginRequest(gid, TxPattern.TCC, millis(timeout)));
        return new TccTransaction(this, LazyBegin.begun(this, TxPattern.TCC, v.gid()));
    }

    /** Begins an XA transaction with a server-made id. */
    public XaTransaction beginXa(Duration timeout) {
        TransactionView v = begin(new BeginRequest(null, TxPattern.XA, millis(timeout)));
        return new XaTransaction(this, LazyBegin.begun(this, TxPattern.XA, v.gid()));
    }

    /**
     * Runs {@code body} inside a new XA transaction, then submits: the answer carries the coordinator's decision
     * (COMMITTING when every branch prepared, ABORTING otherwise). When {@code body} throws, the transaction is
     * aborted and the exception rethrown.
     */
    public TransactionView xa(Duration timeout, XaBody body) {
        return xa(timeout, List.of(), body);
    }

    /**
     * As {@link #xa(Duration, XaBody)}, with every branch declared up front ({@link XaTransaction#branch}): the begin
     * registers them all, so the body's {@link XaTransaction#call}s make no coordinator call of their own, and a
     * transaction of n branches takes two coordinator calls instead of n + 1. The body must call every declared
     * branch; one it did not call aborts the transaction.
     */
    public TransactionView xa(Duration timeout, List<BranchRequest> branches, XaBody body) {
        // Begun with the declared branches, or else its first branch, in one call (LazyBegin).
        XaTransaction tx = new XaTransaction(this, LazyBegin.later(this, TxPattern.XA, millis(timeout), branches));
        return runThenSubmit("XA", tx::gidOrNull, () -> body.run(tx), tx::undone, tx::abort, tx::submit);
    }


    private static Long millis(Duration timeout) {
        return timeout == null ? null : timeout.toMillis();
    }

    /** The body of {@link #xa}: makes each branch's business call through the transaction it is given. */
    @FunctionalInterface
    public interface XaBody {
        void run(XaTransaction tx) throws Exception;
    }

    public TransactionView begin(BeginRequest req) {
        return begin(req, false);
    }

    /**
     * With {@code minimal}, asks for the lean answer ({@code Prefer: return=minimal}: gid, pattern, status, reason,
     * each branch's id and status), as the SDK does for the transactions it runs: the full view costs both sides
     * more than the rest of the answer (docs/benchmarks.md).
     */
    TransactionView begin(BeginRequest req, boolean minimal) {
        TransactionView v = post("/api/v1/transactions", req.gid(), req, TransactionView.class, minimal);
        // A server-made gid is not known in advance, but the answer must carry one.
        return req.gid() == null ? requireView(v, v.gid(), "POST /api/v1/transactions") : v;
    }

    /**
     * Runs {@code body} inside a new TCC transaction: submits when it returns, aborts (and rethrows) when it
     * throws. Returns the transaction as the coordinator recorded the decision: gid, pattern, status, reason and
     * each branch's id and status (the lean answer the SDK asks for; {@link #get} has times and operations).
     */
    public TransactionView tcc(Duration timeout, TccBody body) {
        return tcc(timeout, List.of(), body);
    }

    /**
     * As {@link #tcc(Duration, TccBody)}, with every branch declared up front ({@link BranchRequest#tcc}): the begin
     * registers them all, so the body's Trys ({@link TccTransaction#tryBranch(String, String)}) make no coordinator
     * call of their own, and a transaction of n branches takes two coordinator calls (begin, submit) instead of
     * n + 1. The body must try every declared branch; one it did not try aborts the transaction.
     *
     * <pre>{@code
     * pactum.tcc(Duration.ofSeconds(30), List.of(
     *         BranchRequest.tcc("payment", pay + "/try", pay + "/confirm", pay + "/cancel"),
     *         BranchRequest.tcc("stock", stock + "/try", stock + "/confirm", stock + "/cancel")), tx -> {
     *     tx.tryBranch("payment", body);
     *     tx.tryBranch("stock", body);
     * });
     * }</pre>
     */
    public TransactionView tcc(Duration timeout, List<BranchRequest> branches, TccBody body) {
        // Begun with the declared branches, or else its first branch, in one call (LazyBegin).
        TccTransaction tx = new TccTransaction(this, LazyBegin.later(this, TxPattern.TCC, millis(timeout), branches));
        return runThenSubmit("TCC", tx::gidOrNull, () -> body.run(tx), tx::untried, tx::abort, tx::submit);
    }

    @FunctionalInterface
    private interface Body {
        void run() throws Exception;
    }

    /**
     * Runs a transaction's body; submits when it returns, aborts (and rethrows) when it throws. A declared branch the
     * body never called ({@code notCalled}) would make the submit refused: it aborts instead, naming them.
     */
    private static TransactionView runThenSubmit(String pattern, java.util.function.Supplier<String> gid, Body body,
                                                 java.util.function.Supplier<List<String>> notCalled,
                                                 java.util.function.Function<String, TransactionView> abort,
                                                 java.util.function.Supplier<TransactionView> submit) {
        try {
            body.run();
            if (!notCalled.get().isEmpty()) {
                throw new IllegalStateException(pattern + " body returned without calling declared branches "
                        + notCalled.get());
            }
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
            throw new PactumException("body_failed", pattern + " body of " + (gid.get() == null ? "a transaction not yet"
                    + " begun" : gid.get()) + " failed: " + e.getMessage(), e);
        }
        return submit.get();
    }

    /** The body of {@link #tcc}: calls Trys through the transaction it is given. */
    @FunctionalInterface
    public interface TccBody {
        void run(TccTransaction tx) throws Exception;
    }

    public BranchView registerBranch(String gid, BranchRequest req) {
        return registerBranch(gid, req, false);
    }

    BranchView registerBranch(String gid, BranchRequest req, boolean minimal) {
        BranchView v = post("/api/v1/transactions/" + gid + "/branches", gid, req, BranchView.class, minimal);
        if (v.branchId() == null || !v.branchId().equals(req.branchId()) || v.status() == null) {
            throw badAnswer("POST /api/v1/transactions/" + gid + "/branches", "not about branch " + req.branchId());
        }
        return v;
    }

    public TransactionView submit(String gid, List<String> tried) {
        return submit(gid, tried, false);
    }

    TransactionView submit(String gid, List<String> tried, boolean minimal) {
        return post("/api/v1/transactions/" + gid + "/submit", gid, new SubmitRequest(tried), TransactionView.class,
                minimal);
    }

    public TransactionView abort(String gid, String reason) {
        return abort(gid, reason, false);
    }

    TransactionView abort(String gid, String reason, boolean minimal) {
        return post("/api/v1/transactions/" + gid + "/abort", gid, new AbortRequest(reason), TransactionView.class,
                minimal);
    }

    public TransactionView get(String gid) {
        return send("GET", "/api/v1/transactions/" + gid, gid, null, TransactionView.class, false);
    }

    public TransactionList list(GlobalStatus status, String after, int limit) {
        StringBuilder q = new StringBuilder("/api/v1/transactions?limit=").append(limit);
        if (status != null) {
            q.append("&status=").append(status.name());
        }
        if (after != null) {
            q.append("&after=").append(URLEncoder.encode(after, StandardCharsets.UTF_8));
        }
        TransactionList page = send("GET", q.toString(), null, null, TransactionList.class, false);
        if (page.transactions() == null) {
            throw badAnswer("GET " + q, "no transactions array");
        }
        return page;
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

    private <T> T post(String path, String gid, Object body, Class<T> type, boolean minimal) {
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot encode " + body, e);
        }
        return send("POST", path, gid, json, type, minimal);
    }

    /**
     * One exchange with the coordinator about transaction {@code gid} (null when the request names none).
     * A 2xx answer must be readable as {@code type}, and a TransactionView must be about {@code gid}.
     */
    private <T> T send(String method, String path, String gid, byte[] json, Class<T> type, boolean minimal) {
        HttpTransport.Answer a;
        try {
            a = coordinator.exchange(method, path, minimal, json);
        } catch (IOException e) {
            throw new PactumException("unreachable", "coordinator " + base + " did not answer " + method + " "
                    + path + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PactumException("interrupted", "interrupted calling the coordinator", e);
        }
        try {
            if (a.status() >= 200 && a.status() < 300) {
                T value = JSON.readValue(a.body(), type);
                if (value == null) {
                    throw badAnswer(method + " " + base + path, "an empty body (HTTP " + a.status() + ")");
                }
                if (value instanceof TransactionView v && gid != null) {
                    requireView(v, gid, method + " " + base + path);
                }
                return value;
            }
            throw toException(a.status(), a.body(), gid);
        } catch (IOException e) {
            throw new PactumException("bad_answer", "unreadable answer (HTTP " + a.status() + ") to " + method + " "
                    + base + path + ": " + e.getMessage(), e);
        }
    }

    /** A view that is about {@code gid} and has a status; anything else did not come from the coordinator. */
    private static TransactionView requireView(TransactionView v, String gid, String what) {
        if (gid == null || !gid.equals(v.gid()) || v.status() == null) {
            throw badAnswer(what, "not about transaction " + gid + " (gid " + v.gid() + ", status " + v.status() + ")");
        }
        return v;
    }

    private static PactumException badAnswer(String what, String why) {
        return new PactumException("bad_answer", "unusable answer to " + what + ": " + why, null);
    }

    /**
     * The meaning of an error answer to a request about {@code gid}. Typed only when status, code and gid agree;
     * everything else keeps the message "HTTP status: ..." and means "no usable answer".
     */
    static PactumException toException(int status, byte[] body, String gid) {
        ErrorBody e = null;
        try {
            e = JSON.readValue(body, ErrorBody.class);
        } catch (IOException notJson) {
            // a gateway's page, or nothing: no meaning beyond the status
        }
        if (e == null || e.error() == null) {
            return new PactumException("http_" + status, "HTTP " + status + ": "
                    + abbreviate(new String(body, StandardCharsets.UTF_8)), null, null);
        }
        boolean aboutGid = gid != null && gid.equals(e.gid());
        if (status == 400 && (InvalidInputException.CODE.equals(e.error()) || "malformed_json".equals(e.error()))) {
            return new InvalidInputException(e.field(), e.message());
        }
        if (status == 404 && UnknownTransactionException.CODE.equals(e.error()) && aboutGid) {
            return new UnknownTransactionException(gid);
        }
        if (status == 409 && ConflictException.CODE.equals(e.error()) && aboutGid) {
            return new ConflictException(e.field(), e.message(), gid, e.status());
        }
        boolean typedCode = UnknownTransactionException.CODE.equals(e.error()) || ConflictException.CODE.equals(e.error())
                || InvalidInputException.CODE.equals(e.error());
        // A typed code whose status or gid does not fit is not trusted: it must not read as that meaning.
        return new PactumException(typedCode ? "http_" + status : e.error(), "HTTP " + status + ": " + e.error() + ": "
                + abbreviate(String.valueOf(e.message())) + (e.gid() == null ? "" : " (gid " + e.gid() + ")"), null, null);
    }

    private static String abbreviate(String s) {
        return s.length() <= 300 ? s : s.substring(0, 297) + "...";
    }

    @Override
    public void close() {
        coordinator.close();
        http.close();
    }
}
