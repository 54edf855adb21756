package dev.pactum.server;

import dev.pactum.core.CoordinatorConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServerConfigWirePortTest {
    private static ServerConfig withWire(int port, int wirePort) {
        return new ServerConfig("127.0.0.1", port, Path.of("data"), null, null, null, 64 * 1024, Duration.ofSeconds(5),
                CoordinatorConfig.builder().nodeId("t").build(), wirePort);
    }

    @Test
    void theWirePortIsOffUnlessAskedFor() {
        ServerConfig plain = new ServerConfig("127.0.0.1", 7070, Path.of("data"), null, null, null, 64 * 1024,
                Duration.ofSeconds(5), CoordinatorConfig.builder().nodeId("t").build());
        assertThat(plain.wirePort()).isEqualTo(ServerConfig.WIRE_OFF);
        assertThat(plain.describe()).contains("wirePort=off");
        assertThat(plain.withWirePort(7071).describe()).contains("wirePort=7071");
    }

    @Test
    void aWirePortOutOfRangeOrTheHttpPortIsRefusedNamingIt() {
        assertThatThrownBy(() -> withWire(7070, -2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("wirePort").hasMessageContaining("-2");
        assertThatThrownBy(() -> withWire(7070, 65536)).hasMessageContaining("wirePort");
        assertThatThrownBy(() -> withWire(7070, 7070)).hasMessageContaining("must differ from the HTTP port 7070");
        assertThat(withWire(0, 0).wirePort()).isZero(); // both on any free port
    }
}
