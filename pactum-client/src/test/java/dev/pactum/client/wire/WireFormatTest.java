package dev.pactum.client.wire;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WireFormatTest {

    private static ByteBuffer content(byte[] frame) {
        ByteBuffer b = ByteBuffer.wrap(frame);
        assertThat(b.getInt()).isEqualTo(frame.length - 4);
        return b.slice();
    }

    @Test
    void aRequestReadsBackAsWritten() {
        byte[] body = "{\"timeoutMs\":1000}".getBytes(StandardCharsets.UTF_8);
        WireFormat.Request r = WireFormat.readRequest(content(WireFormat.request(7, "POST",
                "/api/v1/transactions?limit=5&status=ACTIVE", true, body)));
        assertThat(r.id()).isEqualTo(7);
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.path()).isEqualTo("/api/v1/transactions");
        assertThat(r.query()).isEqualTo("limit=5&status=ACTIVE");
        assertThat(r.preferMinimal()).isTrue();
        assertThat(r.body()).isEqualTo(body);
    }

    @Test
    void aGetHasNoQueryWhenThePathHasNone() {
        WireFormat.Request r = WireFormat.readRequest(content(WireFormat.request(-3, "GET", "/health", false, null)));
        assertThat(r.id()).isEqualTo(-3);
        assertThat(r.query()).isNull();
        assertThat(r.preferMinimal()).isFalse();
        assertThat(r.body()).isEmpty();
    }

    @Test
    void anAnswerReadsBackAsWritten() {
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        WireFormat.Answer a = WireFormat.readAnswer(content(WireFormat.answer(9, 405, false, true, "GET, POST", body)));
        assertThat(a.id()).isEqualTo(9);
        assertThat(a.status()).isEqualTo(405);
        assertThat(a.minimal()).isFalse();
        assertThat(a.text()).isTrue();
        assertThat(a.allow()).isEqualTo("GET, POST");
        assertThat(a.body()).isEqualTo(body);
    }

    @Test
    void theWriterRefusesWhatTheReaderWouldRefuse() {
        assertThatThrownBy(() -> WireFormat.request(0, "GET", "/health", false, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reserved");
        assertThatThrownBy(() -> WireFormat.request(1, "PUT", "/health", false, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("GET and POST only");
        assertThatThrownBy(() -> WireFormat.request(1, "GET", "/" + "x".repeat(WireFormat.MAX_PATH), false, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exceeds");
    }

    @Test
    void aMalformedRequestNamesItsIdAndWhatIsWrong() {
        byte[] ok = WireFormat.request(5, "GET", "/health", false, null);
        byte[] badMethod = ok.clone();
        badMethod[8] = 9;
        assertThatThrownBy(() -> WireFormat.readRequest(content(badMethod))).isInstanceOf(WireException.class)
                .hasMessageContaining("unknown method").satisfies(e -> assertThat(((WireException) e).id()).isEqualTo(5));
        byte[] badFlags = ok.clone();
        badFlags[9] = (byte) 0x80;
        assertThatThrownBy(() -> WireFormat.readRequest(content(badFlags))).hasMessageContaining("flags");
        byte[] longPath = ok.clone();
        longPath[10] = 0x7f;
        assertThatThrownBy(() -> WireFormat.readRequest(content(longPath))).hasMessageContaining("path length");
        byte[] relative = WireFormat.request(5, "GET", "health", false, null);
        assertThatThrownBy(() -> WireFormat.readRequest(content(relative))).hasMessageContaining("start with '/'");
        byte[] getWithBody = WireFormat.request(5, "POST", "/health", false, new byte[]{'x'});
        getWithBody[8] = WireFormat.METHOD_GET;
        assertThatThrownBy(() -> WireFormat.readRequest(content(getWithBody))).hasMessageContaining("GET carries no body");
        assertThatThrownBy(() -> WireFormat.readRequest(ByteBuffer.wrap(new byte[]{0, 0, 0, 4, 1})))
                .isInstanceOf(WireException.class).hasMessageContaining("shorter than its header");
    }

    @Test
    void aPathThatIsNotUtf8IsRefused() {
        byte[] f = WireFormat.request(5, "GET", "/héalth", false, null);
        f[14] = (byte) 0xff; // inside the two bytes of é
        assertThatThrownBy(() -> WireFormat.readRequest(content(f))).hasMessageContaining("not UTF-8");
    }

    @Test
    void helloCarriesTheVersionAndForeignBytesAreSeenAtTheFirstByte() {
        assertThat(WireFormat.versionOf(WireFormat.hello())).isEqualTo(WireFormat.VERSION);
        assertThat(WireFormat.versionOf("GET / HT".getBytes(StandardCharsets.US_ASCII))).isEqualTo(-1);
        assertThat(WireFormat.helloByteFits(0, (byte) 'G')).isFalse();
        assertThat(WireFormat.helloByteFits(0, (byte) 'P')).isTrue();
        assertThat(WireFormat.helloByteFits(WireFormat.HELLO_BYTES - 1, (byte) 99)).isTrue(); // any version
    }
}
