package dev.pactum.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pactum.api.BranchView;
import dev.pactum.api.GlobalStatus;
import dev.pactum.api.TransactionList;
import dev.pactum.api.TransactionView;
import dev.pactum.core.CoordinatorConfig;
import dev.pactum.core.CoordinatorService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Invariant 8 under fire (issue 6, item 4): raw-socket requests of many shapes at every route: random bytes, bodies
 * in bad encodings, deep nesting, huge numbers, mutated JSON, bad escapes in path and query, odd and contradictory
 * headers, wrong methods, a lying Content-Length, chunked garbage. For every answer: no 5xx, and a 4xx carries the
 * JSON ErrorBody; for every refused request (4xx, or the connection closed unanswered) the stored transactions are
 * as they were; and the coordinator is healthy throughout and after.
 *
 * <p>Seeded: the seed is printed first, and {@code -Dpactum.fuzz.seed=N} replays a run request for request (a
 * failure names the seed, the request's number and its bytes). Bounded: {@code pactum.fuzz.requests} requests
 * (2,000 by default) or {@code pactum.fuzz.seconds} seconds (20), whichever ends first.
 */
class ApiFuzzTest {
    static final long SEED = Long.getLong("pactum.fuzz.seed", new Random().nextLong());
    static final int MAX_REQUESTS = Integer.getInteger("pactum.fuzz.requests", 2000);
    static final Duration MAX_TIME = Duration.ofSeconds(Integer.getInteger("pactum.fuzz.seconds", 20));
    static final String API = "/api/v1/transactions";

    @TempDir
    static Path dir;
    static Coordinator coordinator;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        ServerConfig config = new ServerConfig("127.0.0.1", 0, dir, null, null, null, 64 * 1024, Duration.ofSeconds(1),
                CoordinatorConfig.builder().nodeId("fuzz").build());
        coordinator = Coordinator.start(config, Clock.systemUTC());
        port = coordinator.port();
    }

    @AfterAll
    static void stop() {
        coordinator.close();
    }

    @Test
    void noRequestGetsA5xxOrAnErrorThatIsNotJsonOrChangesAnythingWhenRefused() throws Exception {
        System.out.println("ApiFuzzTest seed " + SEED + " (replay with -Dpactum.fuzz.seed=" + SEED + ")");
        Random rnd = new Random(SEED);
        fixtures();
        Shapes shapes = new Shapes(rnd);
        Map<String, Integer> byStatus = new TreeMap<>();
        long deadline = System.nanoTime() + MAX_TIME.toNanos();
        int sent = 0;
        for (; sent < MAX_REQUESTS && System.nanoTime() < deadline; sent++) {
            Shapes.Shape shape = shapes.next();
            Map<String, String> before = snapshot();
            String where = "seed " + SEED + ", request #" + sent + " (" + shape.name() + "): " + printable(shape.bytes());
            RawHttp.Answer a;
            try {
                a = RawHttp.exchange(port, shape.bytes(), true);
            } catch (java.io.IOException e) {
                throw new AssertionError(e.getMessage() + "\nin answer to " + where, e);
            }
            byStatus.merge(shape.name() + " " + (a.timedOut() ? "hang" : Integer.toString(a.status())), 1, Integer::sum);
            if (a.timedOut()) {
                fail("no answer within " + RawHttp.READ_TIMEOUT_MS + " ms to " + where);
            }
            if (a.status() >= 500) {
                fail("HTTP " + a.status() + " " + a.text() + " to " + where);
            }
            if (a.status() >= 400 && !shape.head()) {
                checkErrorBody(a, where);
            }
            if (a.status() >= 400 || a.status() == 0) {
                Map<String, String> after = snapshot();
                assertThat(unchanged(before, after)).as("state changed by a refused request: " + where
                        + "\nbefore " + before + "\nafter  " + after).isTrue();
            }
            if (sent % 250 == 0) {
                assertHealthy("after " + where);
            }
        }
        System.out.println("ApiFuzzTest: " + sent + " requests, answers by shape and status " + byStatus);
        assertHealthy("at the end");
        assertThat(sent).isGreaterThan(Math.min(MAX_REQUESTS, 100)); // it did run
    }

    /** A few transactions for the requests to aim at, in the states they can be in. */
    private static void fixtures() throws Exception {
        post(API, "{\"gid\":\"fz-tcc\",\"timeoutMs\":3600000}", 201);
        post(API + "/fz-tcc/branches", "{\"branchId\":\"b1\",\"confirmUrl\":\"http://127.0.0.1:1/c\","
                + "\"cancelUrl\":\"http://127.0.0.1:1/x\"}", 201);
        post(API, "{\"gid\":\"fz-xa\",\"pattern\":\"XA\",\"timeoutMs\":3600000}", 201);
        post(API + "/fz-xa/branches", "{\"branchId\":\"b1\",\"prepareUrl\":\"http://127.0.0.1:1/p\","
                + "\"commitUrl\":\"http://127.0.0.1:1/c\",\"rollbackUrl\":\"http://127.0.0.1:1/r\"}", 201);
        post(API, "{\"gid\":\"fz-aborted\",\"timeoutMs\":3600000}", 201);
        post(API + "/fz-aborted/abort", "{\"reason\":\"fixture\"}", 200);
    }

    private static void post(String path, String json, int expected) throws Exception {
        RawHttp.Answer a = RawHttp.exchange(port, RawHttp.request("POST", path, "Content-Type: application/json\r\n",
                json.getBytes(StandardCharsets.UTF_8)));
        assertThat(a.status()).as(path + " " + a.text()).isEqualTo(expected);
    }

    private static void assertHealthy(String when) throws Exception {
        RawHttp.Answer h = RawHttp.exchange(port, RawHttp.request("GET", "/health", "", null));
        assertThat(h.status()).as("health " + when + ": " + h.text()).isEqualTo(200);
        RawHttp.Answer list = RawHttp.exchange(port, RawHttp.request("GET", API + "?limit=1", "", null));
        assertThat(list.status()).as("list " + when + ": " + list.text()).isEqualTo(200);
    }

    private static void checkErrorBody(RawHttp.Answer a, String where) {
        assertThat(a.header("Content-Type")).as("Content-Type of the " + a.status() + " to " + where)
                .startsWith("application/json");
        JsonNode body;
        try {
            body = Json.MAPPER.readTree(a.body());
        } catch (Exception e) {
            throw new AssertionError("the " + a.status() + " body is not JSON (" + a.text() + ") for " + where, e);
        }
        assertThat(body != null && body.path("error").isTextual() && body.path("message").isTextual())
                .as("not an ErrorBody: " + a.text() + " for " + where).isTrue();
    }

    /**
     * Every stored transaction as what a refused request must not change: pattern, decision, timeout, branches
     * (ids and URLs). Attempts, last errors and the move from a decision to its final status are left out: the
     * coordinator's background work changes those on its own.
     */
    private static Map<String, String> snapshot() {
        CoordinatorService s = coordinator.service();
        Map<String, String> out = new TreeMap<>();
        String after = null;
        do {
            TransactionList page = s.list(null, after, CoordinatorService.MAX_PAGE);
            for (TransactionView t : page.transactions()) {
                StringBuilder b = new StringBuilder(t.pattern() + " " + decision(t.status()) + " " + t.timeoutAt());
                for (BranchView br : s.get(t.gid()).branches()) {
                    b.append(' ').append(br.branchId()).append('=').append(br.confirmUrl()).append(',')
                            .append(br.cancelUrl()).append(',').append(br.prepareUrl());
                }
                out.put(t.gid(), b.toString());
            }
            after = page.next();
        } while (after != null);
        return out;
    }

    private static String decision(GlobalStatus s) {
        return switch (s) {
            case COMMITTING, COMMITTED -> "COMMIT";
            case ABORTING, ABORTED -> "ABORT";
            default -> s.name();
        };
    }

    /** Equal, but for an ACTIVE transaction whose timeout passed meanwhile: the coordinator aborts it itself. */
    private static boolean unchanged(Map<String, String> before, Map<String, String> after) {
        if (!before.keySet().equals(after.keySet())) {
            return false;
        }
        for (Map.Entry<String, String> e : before.entrySet()) {
            String b = e.getValue();
            String a = after.get(e.getKey());
            if (!a.equals(b)) {
                String[] p = b.split(" ");
                boolean timedOut = p[1].equals("ACTIVE") && !Instant.parse(p[2]).isAfter(Instant.now())
                        && a.equals(b.replaceFirst(" ACTIVE ", " ABORT "));
                if (!timedOut) {
                    return false;
                }
            }
        }
        return true;
    }

    private static String printable(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(b.length, 600); i++) {
            int c = b[i] & 0xFF;
            if (c >= 0x20 && c < 0x7F && c != '\\') {
                sb.append((char) c);
            } else {
                sb.append(switch (c) {
                    case '\r' -> "\\r";
                    case '\n' -> "\\n";
                    case '\\' -> "\\\\";
                    default -> "\\x" + HexFormat.of().toHexDigits((byte) c);
                });
            }
        }
        return b.length > 600 ? sb + "... (" + b.length + " bytes)" : sb.toString();
    }

    // ------------------------------------------------------------------------------------------- the requests

    /** Makes the requests, every one from the seeded random source, so a seed replays the same run. */
    static final class Shapes {
        record Shape(String name, byte[] bytes, boolean head) {
        }

        private final Random rnd;
        private final List<Function<Random, Shape>> makers = new ArrayList<>();

        Shapes(Random rnd) {
            this.rnd = rnd;
            makers.add(this::randomBytes);
            makers.add(this::randomBody);
            makers.add(this::badEncoding);
            makers.add(this::deepNesting);
            makers.add(this::hugeNumbers);
            makers.add(this::mutatedJson);
            makers.add(this::badTarget);
            makers.add(this::oddHeaders);
            makers.add(this::wrongMethod);
            makers.add(this::badContentLength);
            makers.add(this::chunkedGarbage);
        }

        Shape next() {
            return makers.get(rnd.nextInt(makers.size())).apply(rnd);
        }

        private static final String[] GIDS = {"fz-tcc", "fz-xa", "fz-aborted", "nope", "x", "fz-new"};

        private String gid(Random r) {
            return GIDS[r.nextInt(GIDS.length)];
        }

        /** A route of the API (or next to it) and the method it takes. */
        private String[] route(Random r) {
            String g = gid(r);
            return switch (r.nextInt(9)) {
                case 0 -> new String[]{"POST", API};
                case 1 -> new String[]{"GET", API + "?status=ACTIVE&limit=" + r.nextInt(2000)};
                case 2 -> new String[]{"GET", API + "/" + g};
                case 3 -> new String[]{"POST", API + "/" + g + "/branches"};
                case 4 -> new String[]{"POST", API + "/" + g + "/submit"};
                case 5 -> new String[]{"POST", API + "/" + g + "/abort"};
                case 6 -> new String[]{"GET", "/health"};
                case 7 -> new String[]{"GET", "/metrics"};
                default -> new String[]{"POST", API + "/" + g + "/" + word(r)};
            };
        }

        /** A body that the route would accept, to be damaged. */
        private String validBody(Random r, String path) {
            if (path.endsWith("/branches")) {
                return r.nextBoolean()
                        ? "{\"branchId\":\"b" + r.nextInt(5) + "\",\"confirmUrl\":\"http://127.0.0.1:1/c\","
                        + "\"cancelUrl\":\"http://127.0.0.1:1/x\"}"
                        : "{\"branchId\":\"b" + r.nextInt(5) + "\",\"prepareUrl\":\"http://127.0.0.1:1/p\","
                        + "\"commitUrl\":\"http://127.0.0.1:1/c\",\"rollbackUrl\":\"http://127.0.0.1:1/r\"}";
            }
            if (path.endsWith("/submit")) {
                return "{\"tried\":[\"b1\"]}";
            }
            if (path.endsWith("/abort")) {
                return "{\"reason\":\"fuzz\"}";
            }
            return "{\"gid\":\"" + gid(r) + "\",\"pattern\":\"" + (r.nextBoolean() ? "TCC" : "XA")
                    + "\",\"timeoutMs\":" + (1 + r.nextInt(3_600_000)) + "}";
        }

        private static String word(Random r) {
            String[] w = {"commit", "branches", "", "..", "submit/x", "abort/", "%2e%2e", "BRANCHES"};
            return w[r.nextInt(w.length)];
        }

        private static byte[] bytes(Random r, int max) {
            byte[] b = new byte[r.nextInt(max + 1)];
            r.nextBytes(b);
            return b;
        }

        private static Shape request(String name, String method, String target, String headers, byte[] body) {
            return new Shape(name, RawHttp.request(method, target, headers, body), method.equals("HEAD"));
        }

        private static final String JSON = "Content-Type: application/json\r\n";

        private Shape randomBytes(Random r) {
            // Entirely random, or random after a plausible start, so the parser gets past the first byte.
            byte[] junk = bytes(r, 2000);
            if (r.nextBoolean()) {
                return new Shape("random-bytes", junk, false);
            }
            byte[] start = (route(r)[0] + " " + route(r)[1] + " HTTP/1.1\r\n").getBytes(StandardCharsets.ISO_8859_1);
            return new Shape("random-after-request-line", concat(start, junk), false);
        }

        private Shape randomBody(Random r) {
            String[] route = route(r);
            return request("random-body", route[0].equals("GET") ? "POST" : route[0], route[1], JSON, bytes(r, 3000));
        }

        private Shape badEncoding(Random r) {
            String[] route = route(r);
            String json = validBody(r, route[1]);
            byte[] body = switch (r.nextInt(8)) {
                case 0 -> new byte[]{0, 0, 0, '{', (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0, 0, 0, '}'};
                case 1 -> concat(new byte[]{(byte) 0xFE, (byte) 0xFF}, json.getBytes(StandardCharsets.UTF_16LE));
                case 2 -> json.getBytes(StandardCharsets.UTF_16BE);
                case 3 -> json.replace("fuzz", "\uD800").replace("b1", "\uDFFF").getBytes(StandardCharsets.UTF_8);
                case 4 -> insert(json.getBytes(StandardCharsets.UTF_8), r, new byte[]{(byte) 0xC0, (byte) 0xAF});
                case 5 -> insert(json.getBytes(StandardCharsets.UTF_8), r, new byte[]{(byte) 0xED, (byte) 0xA0, (byte) 0x80});
                case 6 -> insert(json.getBytes(StandardCharsets.UTF_8), r, new byte[]{0});
                default -> utf32(json, r.nextBoolean());
            };
            return request("bad-encoding", "POST", route[1], JSON, body);
        }

        private Shape deepNesting(Random r) {
            int depth = 1 + r.nextInt(20_000);
            String open = r.nextBoolean() ? "[" : "{\"gid\":";
            String close = open.equals("[") ? "]" : "}";
            String inner = open.repeat(depth) + "1" + (r.nextBoolean() ? close.repeat(depth) : "");
            return request("deep-nesting", "POST", route(r)[1], JSON, inner.getBytes(StandardCharsets.UTF_8));
        }

        private Shape hugeNumbers(Random r) {
            String[] numbers = {"1e999999", "99999999999999999999999999", "-0", "1.5", "NaN", "Infinity", "0x10",
                    "1".repeat(5000), "-" + "9".repeat(20), "9223372036854775808", "1e-999", "01"};
            String n = numbers[r.nextInt(numbers.length)];
            String[] route = route(r);
            String body = r.nextBoolean() ? "{\"gid\":\"fz-num\",\"timeoutMs\":" + n + "}" : "{\"tried\":[" + n + "]}";
            String target = r.nextBoolean() ? route[1] : API + "?limit=" + n;
            return request("huge-numbers", target.contains("?") ? "GET" : "POST", target, JSON,
                    target.contains("?") ? null : body.getBytes(StandardCharsets.UTF_8));
        }

        private Shape mutatedJson(Random r) {
            String[] route = route(r);
            StringBuilder json = new StringBuilder(validBody(r, route[1]));
            int edits = 1 + r.nextInt(4);
            String[] pieces = {"\"", "{", "}", "[", "]", ",", ":", "null", "true", "\\u0000", "\\", "\"\":\"\"",
                    "\"gid\":\"fz-tcc\",", "\"extra\":1,", "\"branchId\":null,", "\"x".repeat(3000), "\u00e9", "\u2028"};
            for (int i = 0; i < edits && !json.isEmpty(); i++) {
                int at = r.nextInt(json.length());
                switch (r.nextInt(3)) {
                    case 0 -> json.deleteCharAt(at);
                    case 1 -> json.insert(at, pieces[r.nextInt(pieces.length)]);
                    default -> json.setCharAt(at, (char) (0x20 + r.nextInt(0x5F)));
                }
            }
            return request("mutated-json", "POST", route[1], JSON, json.toString().getBytes(StandardCharsets.UTF_8));
        }

        private Shape badTarget(Random r) {
            String[] bad = {"%zz", "%", "%0", "%C3%28", "%00", "%2F", "%2e%2e", "..", "", "%FF%FE", "a b", "\u00e9",
                    "x".repeat(9000), ";jsessionid=1", "%25", "*", "?", "#frag", "//", "\\", "%u0041"};
            String b = bad[r.nextInt(bad.length)];
            String target = switch (r.nextInt(6)) {
                case 0 -> API + "/" + b;
                case 1 -> API + "/" + b + "/submit";
                case 2 -> API + "?status=" + b + "&limit=" + b;
                case 3 -> API + "?" + b + "=" + b;
                case 4 -> "/" + b + API;
                default -> b.isEmpty() ? "/" : b;
            };
            String method = r.nextBoolean() ? "GET" : "POST";
            byte[] body = method.equals("POST") ? validBody(r, target).getBytes(StandardCharsets.UTF_8) : null;
            // Raw bytes in the target: Latin-1 keeps a non-ASCII character as one byte, UTF-8 as several.
            byte[] req = RawHttp.request(method, target, JSON, body);
            if (r.nextBoolean()) {
                req = concat((method + " " + target + " HTTP/1.1\r\n").getBytes(StandardCharsets.UTF_8),
                        ("Host: x\r\nConnection: close\r\n" + (body == null ? "\r\n" : "Content-Length: "
                                + body.length + "\r\n\r\n" + new String(body, StandardCharsets.UTF_8)))
                                .getBytes(StandardCharsets.UTF_8));
            }
            return new Shape("bad-target", req, false);
        }

        private Shape oddHeaders(Random r) {
            String[] route = route(r);
            byte[] body = validBody(r, route[1]).getBytes(StandardCharsets.UTF_8);
            String[] headers = {
                    "Content-Length: 5\r\nContent-Length: 7\r\n", "Content-Length: -1\r\n", "Content-Length: abc\r\n",
                    "Content-Length: 99999999999999999999\r\n", "NoColonHere\r\n", "X-Fold: a\r\n folded\r\n",
                    "X-Nul: a\u0000b\r\n", "X-Long: " + "y".repeat(20_000) + "\r\n", "Content-Type: text/plain\r\n",
                    "Content-Type: application/json; charset=UTF-32\r\n", "Expect: 100-continue\r\n",
                    "Expect: teapot\r\n", "Transfer-Encoding: gzip\r\n", "Transfer-Encoding: chunked, identity\r\n",
                    "Host: a\r\nHost: b\r\n", " Leading: space\r\n", "Content-Encoding: gzip\r\n",
                    "Connection: upgrade\r\nUpgrade: h2c\r\n", "X-\u00e9: v\r\n", ": empty-name\r\n"};
            String h = headers[r.nextInt(headers.length)];
            boolean explicitLength = h.startsWith("Content-Length") || h.startsWith("Transfer-Encoding");
            String version = switch (r.nextInt(6)) {
                case 0 -> "HTTP/1.0";
                case 1 -> "HTTP/2.0";
                case 2 -> "HTTP/1.7";
                case 3 -> "http/1.1";
                default -> "HTTP/1.1";
            };
            String method = r.nextInt(5) == 0 ? route[0].toLowerCase() : route[0];
            String head = method + " " + route[1] + " " + version + "\r\n"
                    + (h.startsWith("Host") ? "" : "Host: x\r\n") + h
                    + (explicitLength ? "" : "Content-Length: " + body.length + "\r\n") + "Connection: close\r\n\r\n";
            return new Shape("odd-headers", concat(head.getBytes(StandardCharsets.UTF_8), body), false);
        }

        private Shape wrongMethod(Random r) {
            String[] methods = {"PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "CONNECT", "FOO", "G ET",
                    "POST", "GET"};
            String m = methods[r.nextInt(methods.length)];
            String[] route = route(r);
            // the route's other method too: GET where POST is meant and the reverse
            String target = m.equals("CONNECT") && r.nextBoolean() ? "127.0.0.1:" + port : route[1];
            byte[] body = r.nextBoolean() ? validBody(r, route[1]).getBytes(StandardCharsets.UTF_8) : null;
            return request("wrong-method", m, target, JSON, body);
        }

        private Shape badContentLength(Random r) {
            String[] route = route(r);
            byte[] body = validBody(r, route[1]).getBytes(StandardCharsets.UTF_8);
            int declared = switch (r.nextInt(3)) {
                case 0 -> body.length + 1 + r.nextInt(1000); // promises more than comes (the output is then shut)
                case 1 -> Math.max(0, body.length - 1 - r.nextInt(Math.max(1, body.length))); // cuts the body
                default -> 0;
            };
            String head = "POST " + route[1] + " HTTP/1.1\r\nHost: x\r\n" + JSON + "Content-Length: " + declared
                    + "\r\nConnection: close\r\n\r\n";
            return new Shape("bad-content-length", concat(head.getBytes(StandardCharsets.UTF_8), body), false);
        }

        private Shape chunkedGarbage(Random r) {
            String[] route = route(r);
            String body = validBody(r, route[1]);
            String[] chunked = {
                    "zz\r\n" + body + "\r\n0\r\n\r\n",
                    Integer.toHexString(body.length() + 10) + "\r\n" + body + "\r\n0\r\n\r\n",
                    Integer.toHexString(body.length()) + "\r\n" + body + "\r\n",
                    "ffffffffffffffffffff\r\n" + body,
                    Integer.toHexString(body.length()) + ";ext=\"\u0001\"\r\n" + body + "\r\n0\r\n\r\n",
                    "-5\r\n" + body + "\r\n0\r\n\r\n",
                    Integer.toHexString(body.length()) + "\r\n" + body + "\r\n0\r\nTrailer-Garbage\r\n\r\n",
                    "1\r\n{\r\n0\r\n\r\n",
                    new String(bytes(r, 500), StandardCharsets.ISO_8859_1)};
            String head = "POST " + route[1] + " HTTP/1.1\r\nHost: x\r\n" + JSON + "Transfer-Encoding: chunked\r\n"
                    + "Connection: close\r\n\r\n";
            return new Shape("chunked-garbage", (head + chunked[r.nextInt(chunked.length)])
                    .getBytes(StandardCharsets.ISO_8859_1), false);
        }

        private static byte[] utf32(String s, boolean bigEndian) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            s.codePoints().forEach(cp -> {
                int v = cp == 'f' ? 0x110000 : cp; // one code point beyond Unicode
                for (int i = 0; i < 4; i++) {
                    out.write(bigEndian ? (v >>> (24 - 8 * i)) & 0xFF : (v >>> (8 * i)) & 0xFF);
                }
            });
            return out.toByteArray();
        }

        private static byte[] insert(byte[] b, Random r, byte[] what) {
            int at = r.nextInt(b.length + 1);
            byte[] out = new byte[b.length + what.length];
            System.arraycopy(b, 0, out, 0, at);
            System.arraycopy(what, 0, out, at, what.length);
            System.arraycopy(b, at, out, at + what.length, b.length - at);
            return out;
        }

        private static byte[] concat(byte[] a, byte[] b) {
            byte[] out = new byte[a.length + b.length];
            System.arraycopy(a, 0, out, 0, a.length);
            System.arraycopy(b, 0, out, a.length, b.length);
            return out;
        }
    }
}
