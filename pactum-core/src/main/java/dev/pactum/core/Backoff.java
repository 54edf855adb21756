package dev.pactum.core;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with a cap and "equal jitter": the delay after attempt n is between half and all of
 * min(cap, base * 2^(n-1)). The jitter spreads the retries of many transactions that failed together (a
 * participant restarting) so they do not all come back at the same instant.
 */
public final class Backoff {
    private final long baseMillis;
    private final long capMillis;

    public Backoff(Duration base, Duration cap) {
        this.baseMillis = base.toMillis();
        this.capMillis = cap.toMillis();
    }

    /** The upper bound of the delay after {@code attempts} failed attempts (attempts >= 1). */
    public long ceilingMillis(int attempts) {
        int shift = Math.min(Math.max(attempts - 1, 0), 30);
        long d = baseMillis << shift;
        return d <= 0 || d > capMillis ? capMillis : d;
    }

    public Duration delay(int attempts) {
        long ceiling = ceilingMillis(attempts);
        long half = ceiling / 2;
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(ceiling - half + 1));
    }
}
