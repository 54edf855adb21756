package dev.pactum.connectors;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a {@link ConnectorProvider} gets to build its connector from: the common timeouts, and named properties
 * for what differs per broker (for example {@code amqp.username}); each connector documents the ones it reads,
 * all prefixed by its scheme. Immutable.
 *
 * @param timeouts   connect and delivery bounds
 * @param properties connector-specific settings, by name
 */
public record ConnectorSettings(ConnectorTimeouts timeouts, Map<String, String> properties) {
    public ConnectorSettings {
        Objects.requireNonNull(timeouts, "timeouts");
        properties = Map.copyOf(Objects.requireNonNull(properties, "properties"));
    }

    public static ConnectorSettings of(ConnectorTimeouts timeouts) {
        return new ConnectorSettings(timeouts, Map.of());
    }

    /** A property's value, or {@code fallback} when it is not set. */
    public String property(String name, String fallback) {
        return properties.getOrDefault(name, fallback);
    }

    /** Properties whose names start with {@code prefix}, the prefix removed. */
    public Map<String, String> withPrefix(String prefix) {
        Map<String, String> out = new TreeMap<>();
        properties.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }

    @Override
    public String toString() {
        // Values may be secrets: name the keys only.
        return "timeouts " + timeouts + ", properties " + new TreeMap<>(properties).keySet();
    }
}
