package dev.pactum.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * One reading of the coordinator's Prometheus page ({@code GET /metrics}), summed per metric name over all label
 * sets: {@code pactum_http_requests_seconds_count} is then every coordinator call, whatever its route or status.
 * The benchmark takes one before and one after the measured window and divides the differences by the committed
 * transactions, so it needs no access to the coordinator's process beyond its public HTTP port.
 */
final class MetricsScrape {
    private final Map<String, Double> byName;

    private MetricsScrape(Map<String, Double> byName) {
        this.byName = byName;
    }

    static MetricsScrape of(HttpClient http, URI coordinator) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(coordinator.resolve("/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + coordinator.resolve("/metrics") + " answered " + r.statusCode());
        }
        return parse(r.body());
    }

    /** Parses the Prometheus text format: {@code name{labels} value}, comments skipped. */
    static MetricsScrape parse(String text) {
        Map<String, Double> sums = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.charAt(0) == '#') {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            if (space <= 0) {
                continue;
            }
            String name = line.substring(0, brace > 0 && brace < space ? brace : line.indexOf(' '));
            try {
                sums.merge(name, Double.parseDouble(line.substring(space + 1)), Double::sum);
            } catch (NumberFormatException notAValue) {
                // a line of another shape (e.g. with a timestamp): not used by the benchmark
            }
        }
        return new MetricsScrape(sums);
    }

    /** The summed value, or NaN when the coordinator does not publish that metric. */
    double get(String name) {
        return byName.getOrDefault(name, Double.NaN);
    }

    /**
     * {@code this - before} for one metric; NaN when this reading lacks it. A metric only the earlier reading lacks
     * counts from 0: counters and timers appear at their first use (a route's first request).
     */
    double delta(MetricsScrape before, String name) {
        return get(name) - before.byName.getOrDefault(name, 0.0);
    }
}
