package dev.pactum.demo;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code pactum demo --pattern msg} on every transport, as a user runs it (coordinator and three services as
 * processes of their own; RabbitMQ and NATS the machine's, Kafka started by the demo): exit status 0, every
 * invariant held, the order service's kill -9 between its local commit and its submit repaired by check-back,
 * and the promised JSON last line, within {@link DemoCommandTest#BOUND}.
 */
class MsgDemoTest {
    @TempDir
    Path work;

    @ParameterizedTest(name = "--broker {0}")
    @ValueSource(strings = {"http", "rabbitmq", "kafka", "nats"})
    void msgDemoHoldsItsInvariantsOnEveryTransport(String broker) throws Exception {
        DemoCommandTest.DemoRun run = DemoCommandTest.run(work, "--pattern", "msg", "--broker", broker,
                "--orders", "6");
        JsonNode last = run.last();
        assertThat(run.code()).as(run.text()).isZero();
        assertThat(last.get("pattern").asText()).isEqualTo("msg");
        assertThat(last.get("broker").asText()).isEqualTo(broker);
        assertThat(last.get("invariantsHeld").asBoolean()).as(run.text()).isTrue();
        assertThat(last.get("violations")).isEmpty();
        assertThat(last.get("crashRepaired").asBoolean()).isTrue();
        assertThat(last.get("balanceA").asLong()).isEqualTo(100);
        // A-1, A-2 (refused locally), the batch of 6, B-1 (the one killed)
        assertThat(last.get("orders").asInt()).isEqualTo(9);
        assertThat(last.get("refusedLocally").asInt()).isEqualTo(1);
        assertThat(last.get("shipped").asInt()).isPositive();
        assertThat(last.get("failed").asInt()).as("some orders must fail for lack of money or stock").isPositive();
        assertThat(last.get("shipped").asInt() + last.get("failed").asInt()).isEqualTo(8);
        assertThat(last.get("messagesDropped").asInt()).as("at least the refused order's message").isPositive();
    }

    @ParameterizedTest
    @ValueSource(strings = {"--broker=redis", "--broker=kafka --pattern=tcc"})
    void aBrokerTheDemoDoesNotKnowIsRefusedClearly(String args) {
        String[] a = (args + (args.contains("--pattern") ? "" : " --pattern=msg") + " --work-dir=" + work).split(" ");
        assertThat(new CommandLine(new DemoCommand()).execute(a)).isEqualTo(2);
    }
}
