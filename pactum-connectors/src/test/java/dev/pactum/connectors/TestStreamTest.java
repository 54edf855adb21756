package dev.pactum.connectors;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The broker tests' own checks can fail: a lost message and a reordered key are caught. */
class TestStreamTest {
    final TestStream stream = new TestStream(URI.create("kafka://h:1/t"), 2);

    TestStream.Received r(int i) {
        String key = "k" + (i % 2);
        return new TestStream.Received(stream.gid, "m" + i, key, key + ":" + (i / 2));
    }

    @Test
    void aMissingMessageFails() {
        stream.assertAllArrived(List.of(r(0), r(1), r(2), r(2)), 3);
        assertThatThrownBy(() -> stream.assertAllArrived(List.of(r(0), r(2)), 3)).isInstanceOf(AssertionError.class);
    }

    @Test
    void aKeyGoingBackFailsButARepeatedMessageDoesNot() {
        stream.assertPerKeyOrder(List.of(r(0), r(1), r(2), r(2), r(3)));
        assertThatThrownBy(() -> stream.assertPerKeyOrder(List.of(r(2), r(1), r(0)))).isInstanceOf(AssertionError.class);
    }
}
