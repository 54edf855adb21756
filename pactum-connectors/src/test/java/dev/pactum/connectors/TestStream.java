package dev.pactum.connectors;

import dev.pactum.api.MessageId;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A stream of test messages spread over a few keys, each payload {@code key:seq} with {@code seq} counting per
 * key, and the checks every broker test makes on what came back: every message arrived (at least once), and, for
 * a destination that promises it, each key's messages in their order.
 */
public final class TestStream {
    public final String gid = "it-" + UUID.randomUUID().toString().substring(0, 8);
    private final URI destination;
    private final int keys;

    public TestStream(URI destination, int keys) {
        this.destination = destination;
        this.keys = keys;
    }

    /** Message {@code i}: key {@code k(i % keys)}, payload {@code key:seq}. */
    public Message message(int i) {
        String key = "k" + (i % keys);
        return Message.builder(new MessageId(gid, "m" + i), destination)
                .key(key)
                .header("Content-Type", "text/plain")
                .header("X-Test", "yes")
                .traceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
                .payload((key + ":" + (i / keys)).getBytes(StandardCharsets.UTF_8))
                .build();
    }

    /**
     * Delivers messages {@code from} to {@code to - 1}: the keys in parallel, each key's messages one at a time in
     * order (one in flight per key, the condition per-key order rests on). Bounded wait.
     *
     * @return each message's delivery, by index
     */
    public Map<Integer, Delivery> deliver(Connector connector, int from, int to) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(keys);
        try {
            List<Future<Map<Integer, Delivery>>> perKey = new ArrayList<>();
            for (int k = 0; k < keys; k++) {
                int key = k;
                perKey.add(pool.submit(() -> {
                    Map<Integer, Delivery> out = new HashMap<>();
                    for (int i = from; i < to; i++) {
                        if (i % keys == key) {
                            out.put(i, connector.deliver(message(i)));
                        }
                    }
                    return out;
                }));
            }
            Map<Integer, Delivery> all = new HashMap<>();
            for (Future<Map<Integer, Delivery>> f : perKey) {
                all.putAll(f.get(120, TimeUnit.SECONDS));
            }
            return all;
        } finally {
            pool.shutdownNow();
        }
    }

    /** A message as a test consumer read it back from the broker. */
    public record Received(String gid, String branchId, String key, String payload) {
    }

    /** Every message {@code 0..n-1} is among {@code received} (duplicates allowed: at least once). */
    public void assertAllArrived(List<Received> received, int n) {
        Set<String> ids = new LinkedHashSet<>();
        for (Received r : received) {
            if (r.gid().equals(gid)) {
                ids.add(r.branchId());
            }
        }
        Set<String> expected = new LinkedHashSet<>();
        for (int i = 0; i < n; i++) {
            expected.add("m" + i);
        }
        assertThat(ids).containsExactlyInAnyOrderElementsOf(expected);
    }

    /**
     * In {@code received} (in the broker's order, for one partition or stream), each key's sequence numbers never
     * go back, apart from a redelivered message repeating one already seen.
     */
    public void assertPerKeyOrder(List<Received> received) {
        Map<String, Integer> last = new HashMap<>();
        for (Received r : received) {
            if (!r.gid().equals(gid)) {
                continue;
            }
            String[] parts = r.payload().split(":");
            assertThat(parts[0]).as("payload key of %s", r).isEqualTo(r.key());
            int seq = Integer.parseInt(parts[1]);
            Integer before = last.get(r.key());
            assertThat(before == null || seq >= before).as("key %s: seq %d after %s", r.key(), seq, before).isTrue();
            last.put(r.key(), seq);
        }
    }

    /** The same check, failing the test when a delivery did not end as {@code status}. */
    public static void assertAll(Map<Integer, Delivery> deliveries, Delivery.Status status) {
        deliveries.forEach((i, d) -> assertThat(d.status()).as("message %d: %s", i, d).isEqualTo(status));
    }
}
