package dev.pactum.demo;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Runs the demo as a user does (coordinator and three services as processes of their own) and checks its
 * contract: exit status 0, invariants held, and a last line of JSON with the promised fields, within a bound.
 */
class DemoCommandTest {
    /**
     * Far above a run's time (30 to 60 s on a quiet machine; the message demo's runs took 140 to 205 s at load 30 on
     * 2 cores); a hang fails the test instead of stalling CI.
     */
    static final Duration BOUND = Duration.ofMinutes(6);

    @TempDir
    Path work;

    @Test
    void tccDemoHoldsItsInvariantsOnEmbeddedDatabases() throws Exception {
        checkDemo("tcc");
    }

    @Test
    void xaDemoHoldsItsInvariantsOnPostgresqlAndMariadb() throws Exception {
        JsonNode last = checkDemo("xa");
        assertThat(last.get("databases").get("payment").asText()).startsWith("PostgreSQL");
        assertThat(last.get("databases").get("warehouse").asText()).startsWith("MariaDB");
    }

    private JsonNode checkDemo(String pattern) throws Exception {
        DemoRun run = run(work, "--pattern", pattern, "--orders", "18");
        JsonNode last = run.last();
        assertThat(run.code()).as(run.text()).isZero();
        assertThat(last.get("pattern").asText()).isEqualTo(pattern);
        assertThat(last.get("orders").asInt()).isEqualTo(19);
        assertThat(last.get("committed").asInt() + last.get("aborted").asInt()).isEqualTo(19);
        assertThat(last.get("aborted").asInt()).as("some orders must fail for lack of money or stock").isPositive();
        assertThat(last.get("invariantsHeld").asBoolean()).isTrue();
        assertThat(last.get("balanceA").asLong()).isEqualTo(100);
        return last;
    }

    /** One run's exit status, output, and its last line read as JSON. */
    record DemoRun(int code, String text, JsonNode last) {
    }

    /** Runs {@code pactum demo} with these arguments in this JVM, its output captured, within {@link #BOUND}. */
    static DemoRun run(Path work, String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream old = System.out;
        String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(args),
                java.util.stream.Stream.of("--work-dir", work.toString())).toArray(String[]::new);
        int code;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            // A demo that hangs must fail here, not pass by never ending (issue 6): past the bound the demo's
            // thread is interrupted, and its own stop ends its processes.
            code = assertTimeoutPreemptively(BOUND, () -> new CommandLine(new DemoCommand()).execute(all),
                    () -> "the demo " + String.join(" ", args) + " did not end within " + BOUND
                            + "; its output so far:\n" + out.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(old);
        }
        String text = out.toString(StandardCharsets.UTF_8);
        System.out.println(text);
        String[] lines = text.strip().split("\n");
        String last = lines[lines.length - 1];
        assertThat(last).as("the demo's last line must be its JSON summary (exit status %d); its output:%n%s", code,
                text).startsWith("{");
        return new DemoRun(code, text, DemoJson.MAPPER.readTree(last));
    }

    @Test
    void unknownPatternIsRefusedClearly() {
        int code = new CommandLine(new DemoCommand()).execute("--pattern", "paxos", "--work-dir", work.toString());
        assertThat(code).isEqualTo(2);
    }
}
