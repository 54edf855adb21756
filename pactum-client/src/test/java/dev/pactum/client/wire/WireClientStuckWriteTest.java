package dev.pactum.client.wire;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A coordinator that stops reading (hung, or stopped by a debugger) must not hold a caller for ever: a blocking
 * socket write has no timeout of its own, so the connection's reader cuts a write that made no progress for a
 * whole request timeout, and the request fails as unanswered. A real socket whose peer never reads, not a mock.
 */
class WireClientStuckWriteTest {

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a guard against the hang this test is about, not a timing check
    void aWriteTheCoordinatorNeverTakesFailsTheRequestInsteadOfHanging() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread peer = Thread.ofPlatform().daemon().start(() -> {
                try (Socket s = server.accept()) {
                    InputStream in = s.getInputStream();
                    in.readNBytes(WireFormat.HELLO_BYTES);
                    OutputStream out = s.getOutputStream();
                    out.write(WireFormat.hello());
                    out.flush();
                    Thread.sleep(Long.MAX_VALUE); // never reads another byte
                } catch (IOException | InterruptedException e) {
                    // the test is over
                }
            });
            try (WireClient client = new WireClient("127.0.0.1", server.getLocalPort(), 1, Duration.ofMillis(1500))) {
                byte[] huge = new byte[64 * 1024 * 1024]; // far more than the kernel's socket buffers take
                assertThatThrownBy(() -> client.exchange("POST", "/api/v1/transactions", true, huge))
                        .isInstanceOf(IOException.class);
            } finally {
                peer.interrupt();
            }
        }
    }
}
