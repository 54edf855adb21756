package dev.pactum.server.invoke;

import com.sun.net.httpserver.HttpServer;
import dev.pactum.api.BranchOp;
import dev.pactum.api.Outcome;
import dev.pactum.core.spi.BranchCall;
import dev.pactum.core.spi.CallResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 6, item 3, on the coordinator's side: a participant answers 200 (done), 409 (refused) or 425 / 503 (try
 * later). Every 2xx used to count as done, so a 202 ("accepted, not done") or a 204 from whatever stands at the
 * branch's URL recorded a Confirm that never ran, or an XA "yes" vote nobody gave. Now only 200 is done; anything
 * else is retried with the answer kept as the branch's last error. The URL path is the status to answer.
 */
class HttpBranchInvokerAnswerTest {
    static HttpServer participant;
    static HttpBranchInvoker invoker;
    static String base;

    @BeforeAll
    static void start() throws IOException {
        participant = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        participant.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            int status = Integer.parseInt(ex.getRequestURI().getPath().substring(1));
            if (status / 100 == 3) {
                ex.getResponseHeaders().add("Location", base + "/200");
            }
            byte[] body = "{\"result\":\"whatever\"}".getBytes();
            boolean noBody = status == 204 || status == 304;
            ex.sendResponseHeaders(status, noBody ? -1 : body.length);
            try (OutputStream out = ex.getResponseBody()) {
                if (!noBody) {
                    out.write(body);
                }
            }
        });
        participant.start();
        base = "http://127.0.0.1:" + participant.getAddress().getPort();
        invoker = new HttpBranchInvoker(Duration.ofSeconds(5));
    }

    @AfterAll
    static void stop() {
        invoker.close();
        participant.stop(0);
    }

    @ParameterizedTest
    @CsvSource({"200,SUCCESS", "409,FAILURE", "425,ONGOING", "503,ONGOING",
            "201,ONGOING", "202,ONGOING", "204,ONGOING", "302,ONGOING", "404,ONGOING", "500,ONGOING"})
    void onlyTheConventionsAnswersHaveTheirMeaning(int status, Outcome expected) {
        for (BranchOp op : new BranchOp[]{BranchOp.CONFIRM, BranchOp.PREPARE, BranchOp.COMMIT}) {
            CallResult r = invoker.invoke(new BranchCall("g1", "b1", op, base + "/" + status));
            assertThat(r.outcome()).as(op + " answered " + status).isEqualTo(expected);
            assertThat(r.httpStatus()).isEqualTo(status);
            if (expected != Outcome.SUCCESS) {
                assertThat(r.detail()).as("kept as the branch's last error").contains("HTTP " + status);
            }
        }
    }
}
