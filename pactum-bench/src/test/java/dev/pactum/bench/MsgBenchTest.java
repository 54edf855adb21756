package dev.pactum.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code pactum bench --pattern msg} for a second: its JSON line's shape, and counts that agree (every committed
 * message delivered, on each side). No timing is asserted: speed is what the benchmark reports, not what a test
 * checks. HTTP with the coordinator in its own process (the default), RabbitMQ (the machine's) with it in-process.
 */
class MsgBenchTest {
    private static final List<String> SIDE_FIELDS = List.of("deliveredPerS", "sentPerS", "p50Ms", "p99Ms",
            "fromStartP50Ms", "fromStartP99Ms", "sendP50Ms", "sendP99Ms", "sent", "delivered", "duplicates", "errors",
            "drainS", "benchCpuMsPerMsg", "serverCpuMsPerMsg", "checkBacksPerMsg");

    @Test
    void httpWithTheCoordinatorInItsOwnProcess() throws Exception {
        JsonNode json = run("--broker", "http");
        assertThat(json.get("coordinator").asText()).isEqualTo("process");
        assertThat(json.get("coordinatorCpuMsPerMsg").isNumber()).isTrue();
    }

    @Test
    void rabbitMqWithTheCoordinatorInProcess() throws Exception {
        JsonNode json = run("--broker", "rabbitmq", "--in-process");
        assertThat(json.get("coordinator").asText()).isEqualTo("in-process");
    }

    private static JsonNode run(String... extra) throws Exception {
        // RocketMQ's baseline starts a name server and broker of its own (a minute on a busy machine): not here.
        List<String> args = new ArrayList<>(List.of("--pattern", "msg", "--duration", "1", "--warmup", "0",
                "--concurrency", "4", "--no-rocketmq"));
        args.addAll(List.of(extra));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream original = System.out;
        int status;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            status = new CommandLine(new BenchCommand()).execute(args.toArray(String[]::new));
        } finally {
            System.setOut(original);
        }
        String text = out.toString(StandardCharsets.UTF_8);
        original.print(text);
        assertThat(status).as("exit status; output:%n%s", text).isZero();
        // The last line the benchmark prints; an in-process coordinator may still log while it stops.
        String last = text.lines().filter(l -> l.startsWith("{\"pattern\"")).reduce((a, b) -> b).orElseThrow();
        JsonNode json = new ObjectMapper().readTree(last);

        assertThat(json.get("pattern").asText()).isEqualTo("msg");
        assertThat(json.get("broker").asText()).isEqualTo(extra[1]);
        assertThat(json.get("concurrency").asInt()).isEqualTo(4);
        for (String f : List.of("producerDb", "store", "coordinatorCallsPerMsg", "branchCallsPerMsg",
                "storeWritesPerMsg", "fsyncsPerMsg", "ratioToRawPublish", "rawPublish", "rocketmqTransactional",
                "ratioToRocketMq")) {
            assertThat(json.has(f)).as("field %s in %s", f, json).isTrue();
        }
        assertConsistent(json, "pactum");
        assertConsistent(json.get("rawPublish"), "raw publish");
        // Pactum's side: begin and submit per message, at least one delivery each.
        assertThat(json.get("coordinatorCallsPerMsg").asDouble()).isGreaterThanOrEqualTo(2.0);
        assertThat(json.get("branchCallsPerMsg").asDouble()).isGreaterThanOrEqualTo(1.0);
        assertThat(json.get("ratioToRawPublish").isNumber()).isTrue();
        return json;
    }

    /** Every committed message reached the consumer once counted, none failed. */
    private static void assertConsistent(JsonNode side, String name) {
        for (String f : SIDE_FIELDS) {
            assertThat(side.has(f)).as("%s: field %s in %s", name, f, side).isTrue();
        }
        assertThat(side.get("sent").asLong()).as(name + " sent").isPositive();
        assertThat(side.get("delivered").asLong()).as(name + " delivered").isEqualTo(side.get("sent").asLong());
        assertThat(side.get("errors").asLong()).as(name + " errors").isZero();
        assertThat(side.get("duplicates").asLong()).as(name + " duplicates").isNotNegative();
    }
}
