package dev.pactum.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.pactum.api.AbortRequest;
import dev.pactum.api.ResolveRequest;
import dev.pactum.api.BeginRequest;
import dev.pactum.api.BranchRequest;
import dev.pactum.api.ConflictException;
import dev.pactum.api.ErrorBody;
import dev.pactum.api.GlobalStatus;
import dev.pactum.api.IllegalTransitionException;
import dev.pactum.api.InvalidInputException;
import dev.pactum.api.PactumException;
import dev.pactum.api.SubmitRequest;
import dev.pactum.api.UnknownTransactionException;
import dev.pactum.core.CoordinatorService;
import dev.pactum.server.Json;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.UrlEncoded;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.CharConversionException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;

/**
 * The coordinator's API, whatever carries it: routes a request (method, path, query, the minimal-answer preference,
 * its body) to {@link CoordinatorService} and makes the answer (status, content type, body, Allow). Both transports
 * call it, the HTTP one ({@code http.ApiHandler}) and the wire protocol ({@code wire.WireServer}), so routing,
 * validation, error mapping, the minimal answers and the per-route metrics are one code path. It holds no logic of
 * the service's own; docs/openapi.yaml describes the routes. It may block (the store's fsync): call it from a
 * virtual thread, never from an event loop.
 *
 * <pre>
 *   POST /api/v1/transactions                      begin
 *   GET  /api/v1/transactions?status=&after=&limit= list
 *   GET  /api/v1/transactions/{gid}                 query one, with branches
 *   POST /api/v1/transactions/{gid}/branches        register a TCC branch
 *   POST /api/v1/transactions/{gid}/submit          commit
 *   POST /api/v1/transactions/{gid}/abort           roll back
 *   POST /api/v1/transactions/{gid}/resolve         an operator's decision for a PARKED transaction
 *   GET  /health, GET /metrics
 * </pre>
 *
 * A request that prefers the minimal answer (HTTP's {@code Prefer: return=minimal}) gets a transaction or branch
 * answer without times and operations ({@link MinimalAnswer}); the SDK asks for it.
 */
public final class ApiDispatcher {
    private static final Logger log = LoggerFactory.getLogger(ApiDispatcher.class);
    private static final String PREFIX = "/api/v1/transactions";
    /**
     * The code of a 404 that is about the path, not about a transaction; an unknown transaction answers
     * {@link UnknownTransactionException#CODE} with its gid, so a client never takes one for the other.
     */
    public static final String NO_ROUTE = "no_route";

    /** A request's body, read only when the route takes one; may throw {@link ApiError} (too large, cut short). */
    @FunctionalInterface
    public interface Body {
        byte[] read() throws IOException;
    }

    private final CoordinatorService service;
    private final int maxBodyBytes;
    private final Supplier<String> health;
    private final Supplier<String> metrics;
    private final MeterRegistry registry;
    private final ConcurrentMap<String, AtomicReferenceArray<Timer>> timers = new ConcurrentHashMap<>();

    public ApiDispatcher(CoordinatorService service, int maxBodyBytes, Supplier<String> health, Supplier<String> metrics,
                         MeterRegistry registry) {
        this.service = service;
        this.maxBodyBytes = maxBodyBytes;
        this.health = health;
        this.metrics = metrics;
        this.registry = registry;
    }

    public int maxBodyBytes() {
        return maxBodyBytes;
    }

    /**
     * Answers one request. {@code path} is decoded (no percent escapes left), {@code query} is the raw query string
     * (percent-encoded, without '?') or null. Never throws: every failure is an answer.
     */
    public ApiAnswer dispatch(String method, String path, String query, boolean preferMinimal, Body source) {
        long start = System.nanoTime();
        String route = routeOf(method, path);
        String allow = null;
        boolean minimalApplied = false;
        int status;
        byte[] body;
        String contentType = ApiAnswer.JSON;
        try {
            if (path.equals("/health") && method.equals("GET")) {
                status = 200;
                body = health(log);
                if (body == null) {
                    // Both what a load balancer reads (status) and the ErrorBody every error answer is.
                    status = 503;
                    body = "{\"status\":\"DOWN\",\"error\":\"unhealthy\",\"message\":\"the store cannot be read\"}"
                            .getBytes(StandardCharsets.UTF_8);
                }
            } else if (path.equals("/metrics") && method.equals("GET")) {
                status = 200;
                contentType = ApiAnswer.METRICS;
                body = metrics.get().getBytes(StandardCharsets.UTF_8);
            } else if (path.equals("/health") || path.equals("/metrics")) {
                throw methodNotAllowed(method, "GET");
            } else if (path.equals(PREFIX) || path.startsWith(PREFIX + "/")) {
                // The body is read before routing, so even a refused request leaves the connection clean for reuse.
                byte[] raw = method.equals("GET") ? new byte[0] : source.read();
                Answer a = api(query, method, path.substring(PREFIX.length()), raw);
                status = a.status;
                byte[] minimal = preferMinimal ? MinimalAnswer.of(a.value) : null;
                if (minimal != null) {
                    body = minimal;
                    minimalApplied = true;
                } else {
                    body = Json.MAPPER.writeValueAsBytes(a.value);
                }
            } else {
                throw noRoute(method, path);
            }
        } catch (ApiError e) {
            status = e.status;
            allow = e.allow;
            body = Json.bytes(e.body);
        } catch (InvalidInputException e) {
            status = 400;
            body = Json.bytes(new ErrorBody(e.code(), e.getMessage(), e.field(), e.gid(), e.status()));
        } catch (UnknownTransactionException e) {
            status = 404;
            body = Json.bytes(new ErrorBody(e.code(), e.getMessage(), null, e.gid(), e.status()));
        } catch (ConflictException e) {
            status = 409;
            body = Json.bytes(new ErrorBody(e.code(), e.getMessage(), e.field(), e.gid(), e.status()));
        } catch (IllegalTransitionException e) {
            log.error("illegal transition on {} {}", method, path, e);
            status = 500;
            body = Json.bytes(new ErrorBody(e.code(), e.getMessage(), null, e.gid(), e.status()));
        } catch (PactumException e) {
            // Not the caller's fault: the store failed, for instance. Worth a retry later.
            log.error("{} on {} {}", e.code(), method, path, e);
            status = 503;
            body = Json.bytes(new ErrorBody(e.code(), e.getMessage(), null, e.gid(), e.status()));
        } catch (RuntimeException | IOException e) {
            log.error("internal error on {} {}", method, path, e);
            status = 500;
            body = Json.bytes(new ErrorBody("internal", "internal error: " + e.getMessage(), null, null, null));
        }
        timer(route, status).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        return new ApiAnswer(status, contentType, body, allow, minimalApplied);
    }

    /** The answer to a request a transport refused before it could be dispatched (a frame too large to read). */
    public static ApiAnswer answerOf(ApiError e) {
        return new ApiAnswer(e.status, ApiAnswer.JSON, Json.bytes(e.body), e.allow, false);
    }

    /** A 413 for a body over this coordinator's limit. */
    public ApiError tooLarge() {
        return new ApiError(413, "too_large", "request body exceeds " + maxBodyBytes + " bytes", "body");
    }

    private record Answer(int status, Object value) {
    }

    /**
     * One timer per route and status, looked up once: building a meter id per request showed in profiles, and so did
     * the string key made of both; the route's timers are kept in an array indexed by status.
     */
    private Timer timer(String route, int status) {
        AtomicReferenceArray<Timer> byStatus = timers.computeIfAbsent(route, r -> new AtomicReferenceArray<>(600));
        int i = status >= 0 && status < byStatus.length() ? status : 0;
        Timer t = byStatus.get(i);
        if (t == null) {
            // A race registers the same meter twice, which Micrometer answers with the one registered: harmless.
            t = Timer.builder("pactum.http.requests").tag("route", route).tag("status", Integer.toString(status))
                    .register(registry);
            if (i == status) {
                byStatus.set(i, t);
            }
        }
        return t;
    }

    /** The route's name for metrics, decided before the request runs so that error answers are counted under it. */
    static String routeOf(String method, String path) {
        if (path.equals("/health") || path.equals("/metrics")) {
            return path.substring(1);
        }
        if (path.equals(PREFIX)) {
            return method.equals("POST") ? "begin" : "list";
        }
        if (path.startsWith(PREFIX + "/")) {
            String[] parts = path.substring(PREFIX.length() + 1).split("/", -1);
            if (parts.length == 1) {
                return "get";
            }
            if (parts.length == 2 && (parts[1].equals("branches") || parts[1].equals("submit") || parts[1].equals("abort")
                    || parts[1].equals("resolve"))) {
                return parts[1].equals("branches") ? "branch" : parts[1];
            }
        }
        return "unknown";
    }

    private byte[] health(Logger log) {
        try {
            return health.get().getBytes(StandardCharsets.UTF_8);
        } catch (RuntimeException e) {
            log.error("health check failed", e);
            return null;
        }
    }

    private Answer api(String query, String method, String rest, byte[] raw) throws IOException {
        // rest is "", "/{gid}", "/{gid}/branches", "/{gid}/submit", "/{gid}/abort" or "/{gid}/resolve"
        String[] parts = rest.isEmpty() ? new String[0] : rest.substring(1).split("/", -1);
        if (parts.length == 0) {
            if (method.equals("POST")) {
                CoordinatorService.Begun b = service.begin(read(raw, BeginRequest.class, true));
                return new Answer(b.created() ? 201 : 200, b.transaction());
            }
            if (method.equals("GET")) {
                Fields q = query(query);
                GlobalStatus status = parseStatus(q.getValue("status"));
                int limit = parseLimit(q.getValue("limit"));
                return new Answer(200, service.list(status, q.getValue("after"), limit));
            }
            throw methodNotAllowed(method, "POST or GET");
        }
        String gid = parts[0];
        if (parts.length == 1) {
            if (method.equals("GET")) {
                return new Answer(200, service.get(gid));
            }
            throw methodNotAllowed(method, "GET");
        }
        if (parts.length == 2 && method.equals("POST")) {
            return switch (parts[1]) {
                case "branches" -> new Answer(201,
                        service.registerBranch(gid, read(raw, BranchRequest.class, true)));
                case "submit" -> new Answer(200, service.submit(gid, read(raw, SubmitRequest.class, false)));
                case "abort" -> new Answer(200, service.abort(gid, read(raw, AbortRequest.class, false)));
                case "resolve" -> new Answer(200, service.resolve(gid, read(raw, ResolveRequest.class, true)));
                default -> throw noRoute(method, PREFIX + rest);
            };
        }
        if (parts.length == 2) {
            throw methodNotAllowed(method, "POST");
        }
        throw noRoute(method, PREFIX + rest);
    }

    /** The query parameters; a bad percent escape or bad UTF-8 in them is the caller's error, not ours. */
    private static Fields query(String query) {
        Fields fields = new Fields(true);
        if (query == null || query.isEmpty()) {
            return fields;
        }
        try {
            UrlEncoded.decodeUtf8To(query, fields);
        } catch (RuntimeException e) { // IllegalArgumentException or Utf8 errors from decoding
            throw new ApiError(400, InvalidInputException.CODE, "the query string cannot be decoded: "
                    + e.getMessage(), "query");
        }
        return fields;
    }

    private static ApiError noRoute(String method, String path) {
        return new ApiError(404, NO_ROUTE, "no route " + method + " " + path, null);
    }

    private static <T> T read(byte[] raw, Class<T> type, boolean required) throws IOException {
        if (raw.length == 0 || isBlank(raw)) {
            if (required) {
                throw new ApiError(400, InvalidInputException.CODE, "a JSON object body is required", "body");
            }
            return null;
        }
        try {
            return Json.MAPPER.readValue(raw, type);
        } catch (UnrecognizedPropertyException e) {
            throw new ApiError(400, InvalidInputException.CODE, "unknown field '" + e.getPropertyName() + "'", e.getPropertyName());
        } catch (InvalidFormatException e) {
            String field = fieldOf(e);
            throw new ApiError(400, InvalidInputException.CODE, "field '" + field + "' has an invalid value '" + e.getValue() + "'",
                    field);
        } catch (JsonMappingException e) {
            String field = fieldOf(e);
            throw new ApiError(400, InvalidInputException.CODE, field.isEmpty() ? "the body is not the expected JSON object: "
                    + e.getOriginalMessage() : "field '" + field + "' has the wrong type", field.isEmpty() ? "body" : field);
        } catch (JsonProcessingException e) {
            throw new ApiError(400, "malformed_json", "malformed JSON: " + e.getOriginalMessage(), "body");
        } catch (CharConversionException e) {
            // Jackson's UTF-32 reader throws this (not a JsonProcessingException) for bytes that are no character.
            throw new ApiError(400, "malformed_json", "the body is not JSON in UTF-8, UTF-16 or UTF-32: "
                    + e.getMessage(), "body");
        }
    }

    private static String fieldOf(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static ApiError methodNotAllowed(String method, String allowed) {
        return new ApiError(405, "method_not_allowed", method + " is not allowed here; use " + allowed, null)
                .withAllow(allowed.replace(" or ", ", "));
    }

    private static GlobalStatus parseStatus(String s) {
        if (s == null || s.isEmpty()) {
            return null;
        }
        try {
            return GlobalStatus.valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("status", "unknown status '" + s + "'; one of ACTIVE, COMMITTING, ABORTING,"
                    + " COMMITTED, ABORTED");
        }
    }

    private static int parseLimit(String s) {
        if (s == null || s.isEmpty()) {
            return 100;
        }
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new InvalidInputException("limit", "limit must be a number, was '" + s + "'");
        }
    }

    private static boolean isBlank(byte[] raw) {
        for (byte b : raw) {
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return false;
            }
        }
        return true;
    }

}
