package dev.pactum.core;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongUnaryOperator;

/**
 * Exponential backoff with a cap and "equal jitter": the delay after attempt n is between half and all of
 * min(cap, base * 2^(n-1)). The jitter spreads the retries of many transactions that failed together (a
 * participant restarting) so they do not all come back at the same instant.
 */
public final class Backoff {
    private final long baseMillis;
    private final long capMillis;
    /** Given a bound n, a uniform draw in [0, n): the jitter's source. */
    private final LongUnaryOperator random;

    public Backoff(Duration base, Duration cap) {
        this(base, cap, n -> ThreadLocalRandom.current().nextLong(n));
    }

    /**
     * With the jitter's source of random numbers ({@code n -> uniform in [0, n)}): the deterministic simulation
     * passes one drawn from its seed, so that a schedule replays exactly.
     */
    public Backoff(Duration base, Duration cap, LongUnaryOperator random) {
        this.baseMillis = base.toMillis();
        this.capMillis = cap.toMillis();
        this.random = random;
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
        return Duration.ofMillis(half + random.applyAsLong(ceiling - half + 1));
    }
}
