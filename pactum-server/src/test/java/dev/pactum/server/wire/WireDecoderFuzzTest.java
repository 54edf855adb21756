package dev.pactum.server.wire;

import dev.pactum.client.wire.WireFormat;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The wire decoder under random and mutated input: it never throws (the channel records no exception), it emits
 * only requests that are well formed or the protocol's own refusals, and once it refused what it cannot delimit it
 * reads nothing more. That nothing refused reaches the coordinator's state is {@link WireServerTest}'s job.
 */
class WireDecoderFuzzTest {
    private static final int MAX_BODY = 1024;

    @Property(tries = 500)
    void randomBytesAfterTheHelloNeverThrowAndOnlyMakeRequestsOrRefusals(@ForAll @Size(max = 3000) byte[] noise,
                                                                          @ForAll @IntRange(min = 1, max = 64) int chunk) {
        check(concat(WireFormat.hello(), noise), chunk);
    }

    @Property(tries = 500)
    void randomBytesInsteadOfTheHelloAreRefused(@ForAll @Size(min = 1, max = 200) byte[] noise) {
        List<Object> out = check(noise, 7);
        assertThat(out).isEmpty(); // a foreign hello gets a refusal written, never a request
    }

    @Property(tries = 1000)
    void mutatedFramesNeverThrowAndWhatDecodesIsWellFormed(@ForAll("frames") List<byte[]> frames,
                                                           @ForAll("mutations") List<int[]> mutations,
                                                           @ForAll @IntRange(min = 1, max = 200) int chunk) {
        byte[] bytes = concat(WireFormat.hello(), concat(frames.toArray(byte[][]::new)));
        for (int[] m : mutations) {
            int at = WireFormat.HELLO_BYTES + Math.floorMod(m[0], Math.max(1, bytes.length - WireFormat.HELLO_BYTES));
            if (at < bytes.length) {
                bytes[at] = (byte) m[1];
            }
        }
        check(bytes, chunk);
    }

    @Provide
    Arbitrary<List<byte[]>> frames() {
        Arbitrary<String> paths = Arbitraries.of("/api/v1/transactions", "/api/v1/transactions/g1/submit",
                "/api/v1/transactions?limit=3", "/health", "/metrics", "/x");
        Arbitrary<byte[]> bodies = Arbitraries.strings().ofMaxLength(300).map(s -> s.getBytes(StandardCharsets.UTF_8));
        Arbitrary<byte[]> frame = Combinators.combine(Arbitraries.integers().filter(i -> i != 0), paths, bodies,
                        Arbitraries.of(true, false))
                .as((id, path, body, minimal) -> WireFormat.request(id, "POST", path, minimal, body));
        return frame.list().ofMinSize(1).ofMaxSize(5);
    }

    @Provide
    Arbitrary<List<int[]>> mutations() {
        return Combinators.combine(Arbitraries.integers(), Arbitraries.integers().between(0, 255))
                .as((at, value) -> new int[]{at, value}).list().ofMaxSize(6);
    }

    /** Feeds {@code bytes} in chunks; returns what the decoder emitted, after checking each of it. */
    private static List<Object> check(byte[] bytes, int chunk) {
        EmbeddedChannel ch = new EmbeddedChannel(new WireDecoder(MAX_BODY));
        List<Object> out = new ArrayList<>();
        boolean stopped = false;
        for (int i = 0; i < bytes.length && ch.isOpen(); i += chunk) {
            ch.writeInbound(Unpooled.wrappedBuffer(bytes, i, Math.min(chunk, bytes.length - i)));
            ch.checkException(); // rethrows whatever a handler threw
            for (Object o; (o = ch.readInbound()) != null; ) {
                assertThat(stopped).as("nothing is decoded after a refusal that closes").isFalse();
                switch (o) {
                    case WireFormat.Request r -> {
                        assertThat(r.id()).isNotZero();
                        assertThat(r.path()).startsWith("/");
                        assertThat(r.method()).isIn("GET", "POST");
                        assertThat(r.body().length).isLessThanOrEqualTo(WireFormat.maxRequestFrame(MAX_BODY));
                    }
                    case WireDecoder.Refused r -> assertThat(r.id()).isNotZero();
                    case WireDecoder.TooLarge t -> {
                        assertThat(t.length()).isGreaterThan(WireFormat.maxRequestFrame(MAX_BODY));
                        stopped = true;
                    }
                    case WireDecoder.Fatal f -> stopped = true;
                    default -> throw new AssertionError("unexpected output " + o);
                }
                out.add(o);
            }
        }
        ch.finishAndReleaseAll();
        return out;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }
}
