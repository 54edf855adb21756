package dev.pactum.connectors;

import dev.pactum.api.InvalidInputException;
import dev.pactum.api.MessageId;
import org.junit.jupiter.api.Test;

import java.net.URI;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MessageTest {
    static final MessageId ID = new MessageId("g1", "b1");
    static final URI TO = URI.create("kafka://h:9092/t");

    static String fieldOf(Throwable e) {
        return ((InvalidInputException) e).field();
    }

    @Test
    void transportHeadersCarryTheIdKeyAndTraceBeforeTheCallersOwn() {
        Message m = Message.builder(ID, TO).key("k").header("X-A", "1")
                .traceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01").build();
        assertThat(m.transportHeaders()).containsExactly(
                java.util.Map.entry("Pactum-Gid", "g1"), java.util.Map.entry("Pactum-Branch-Id", "b1"),
                java.util.Map.entry(Message.KEY_HEADER, "k"),
                java.util.Map.entry("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
                java.util.Map.entry("X-A", "1"));
    }

    @Test
    void thePayloadIsCopiedInAndOut() {
        byte[] p = {1, 2};
        Message m = Message.builder(ID, TO).payload(p).build();
        p[0] = 9;
        m.payload()[1] = 9;
        assertThat(m.payload()).containsExactly(1, 2);
    }

    @Test
    void badInputNamesItsField() {
        assertThatThrownBy(() -> Message.builder(ID, URI.create("relative/path")).build())
                .satisfies(e -> assertThat(fieldOf(e)).isEqualTo("destination"));
        assertThatThrownBy(() -> Message.builder(ID, TO).key("").build()).satisfies(e -> assertThat(fieldOf(e)).isEqualTo("key"));
        assertThatThrownBy(() -> Message.builder(ID, TO).traceparent("nope").build())
                .satisfies(e -> assertThat(fieldOf(e)).isEqualTo("traceparent"));
        assertThatThrownBy(() -> Message.builder(ID, TO).payload(null).build())
                .satisfies(e -> assertThat(fieldOf(e)).isEqualTo("payload"));
        assertThatThrownBy(() -> Message.builder(ID, TO).header("pactum-gid", "x"))
                .satisfies(e -> assertThat(fieldOf(e)).isEqualTo("headers.pactum-gid"));
        assertThatThrownBy(() -> Message.builder(ID, TO).header("X", "a").header("x", "b"))
                .satisfies(e -> assertThat(fieldOf(e)).isEqualTo("headers.x"));
        assertThatThrownBy(() -> Message.builder(ID, TO).header("X", "a\r\nInjected: 1"))
                .satisfies(e -> assertThat(fieldOf(e)).isEqualTo("headers.X"));
        assertThatThrownBy(() -> Message.builder(ID, TO).header("bad name", "a"))
                .satisfies(e -> assertThat(fieldOf(e)).isEqualTo("headers"));
    }
}
