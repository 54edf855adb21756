package dev.pactum.server;

import dev.pactum.core.CoordinatorConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything the coordinator process needs, validated once at start and printed once.
 *
 * @param bind          the address to listen on (loopback by default: expose it on purpose)
 * @param port          the HTTP port, 0 for any free port
 * @param dataDir       the embedded store's directory, used when {@code storeUrl} is null
 * @param storeUrl      a JDBC URL (PostgreSQL or MariaDB/MySQL) to share a store between coordinators, or null
 * @param maxBodyBytes  larger request bodies are refused with 413
 * @param branchTimeout how long one phase-2 call may take before it counts as "no answer"
 * @param wirePort      the port of the binary wire protocol (docs/wire.md) beside HTTP, 0 for any free port,
 *                      {@link #WIRE_OFF} for none
 */
public record ServerConfig(String bind, int port, Path dataDir, String storeUrl, String storeUser,
                           String storePassword, int maxBodyBytes, Duration branchTimeout,
                           CoordinatorConfig coordinator, int wirePort) {
    /** The {@code wirePort} that opens no wire port: HTTP only. */
    public static final int WIRE_OFF = -1;

    /** HTTP only, no wire port (tests and embedders that never asked for one). */
    public ServerConfig(String bind, int port, Path dataDir, String storeUrl, String storeUser, String storePassword,
                        int maxBodyBytes, Duration branchTimeout, CoordinatorConfig coordinator) {
        this(bind, port, dataDir, storeUrl, storeUser, storePassword, maxBodyBytes, branchTimeout, coordinator, WIRE_OFF);
    }

    /** This configuration with the wire port set. */
    public ServerConfig withWirePort(int wirePort) {
        return new ServerConfig(bind, port, dataDir, storeUrl, storeUser, storePassword, maxBodyBytes, branchTimeout,
                coordinator, wirePort);
    }

    public ServerConfig {
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(branchTimeout, "branchTimeout");
        Objects.requireNonNull(coordinator, "coordinator");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be within 0..65535, was " + port);
        }
        if (wirePort < WIRE_OFF || wirePort > 65535) {
            throw new IllegalArgumentException("wirePort must be within 0..65535, or " + WIRE_OFF + " for none, was "
                    + wirePort);
        }
        if (wirePort > 0 && wirePort == port) {
            throw new IllegalArgumentException("wirePort must differ from the HTTP port " + port);
        }
        if (maxBodyBytes < 1024 || maxBodyBytes > 16 * 1024 * 1024) {
            throw new IllegalArgumentException("maxBodyBytes must be within 1 KiB..16 MiB, was " + maxBodyBytes);
        }
        if (branchTimeout.isNegative() || branchTimeout.isZero()) {
            throw new IllegalArgumentException("branchTimeout must be positive, was " + branchTimeout);
        }
        if (branchTimeout.multipliedBy(2).compareTo(coordinator.lease()) > 0) {
            // A round of phase-2 calls must end well inside the lease, or another worker could step in meanwhile.
            throw new IllegalArgumentException("branchTimeout " + branchTimeout + " must be at most half the lease "
                    + coordinator.lease());
        }
        if (storeUrl != null && !storeUrl.startsWith("jdbc:")) {
            throw new IllegalArgumentException("storeUrl must be a JDBC URL (jdbc:postgresql:... or jdbc:mariadb:...), was "
                    + storeUrl);
        }
    }

    /** One line per setting, passwords hidden: printed once at start. */
    public String describe() {
        return "bind=" + bind + " port=" + port + " wirePort=" + (wirePort == WIRE_OFF ? "off" : wirePort)
                + (storeUrl == null ? " store=embedded data=" + dataDir.toAbsolutePath()
                : " store=" + storeUrl.replaceAll("(?i)(password=)[^&;]*", "$1***"))
                + " node=" + coordinator.nodeId() + " defaultTimeout=" + coordinator.defaultTimeout()
                + " lease=" + coordinator.lease() + " retry=" + coordinator.retryBase() + ".." + coordinator.retryCap()
                + " branchTimeout=" + branchTimeout + " maxChecks=" + coordinator.maxChecks() + " maxBody=" + maxBodyBytes
                + (coordinator.failpoints().isEmpty() ? "" : " FAILPOINTS ARMED (crash test)");
    }
}
