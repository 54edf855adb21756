package dev.pactum.core;

import java.time.Duration;
import java.util.Objects;

/**
 * The coordinator's settings. Immutable; the builder rejects a bad value at once with a message that names it.
 *
 * @param nodeId            this coordinator's name in leases; a restarted node with the same id takes its
 *                          own leases back at once instead of waiting for them to expire
 * @param defaultTimeout    how long a transaction may stay ACTIVE when the client does not say
 * @param maxTimeout        the largest timeout a client may ask for
 * @param lease             how long a node owns a transaction it is driving before another may step in
 * @param retryBase         first delay between phase-2 attempts; doubled each time
 * @param retryCap          the largest delay between phase-2 attempts
 * @param workerBatch       how many due transactions the recovery worker claims at once
 * @param workerInterval    how long the recovery worker sleeps when it found nothing to do
 * @param failpoints        where the process halts on purpose, for crash tests only (empty in production)
 * @param maxChecks         how many check-backs of a half message may go unanswered before it is PARKED for an
 *                          operator (RocketMQ's default, 15; RocketMQ then discards the message, Pactum never does)
 */
public record CoordinatorConfig(String nodeId, Duration defaultTimeout, Duration maxTimeout, Duration lease,
                                Duration retryBase, Duration retryCap, int workerBatch, Duration workerInterval,
                                Failpoints failpoints, int maxChecks) {
    /** Upper bound of {@link #maxChecks}: with the retry cap, thousands of checks already span days. */
    public static final int MAX_CHECKS_LIMIT = 10_000;

    public CoordinatorConfig {
        Objects.requireNonNull(nodeId, "nodeId");
        if (nodeId.isBlank()) {
            throw new IllegalArgumentException("nodeId must not be blank");
        }
        positive("defaultTimeout", defaultTimeout);
        positive("maxTimeout", maxTimeout);
        positive("lease", lease);
        positive("retryBase", retryBase);
        positive("retryCap", retryCap);
        positive("workerInterval", workerInterval);
        if (defaultTimeout.compareTo(maxTimeout) > 0) {
            throw new IllegalArgumentException("defaultTimeout " + defaultTimeout + " exceeds maxTimeout " + maxTimeout);
        }
        if (retryBase.compareTo(retryCap) > 0) {
            throw new IllegalArgumentException("retryBase " + retryBase + " exceeds retryCap " + retryCap);
        }
        Objects.requireNonNull(failpoints, "failpoints");
        if (workerBatch < 1 || workerBatch > 10_000) {
            throw new IllegalArgumentException("workerBatch must be within 1..10000, was " + workerBatch);
        }
        if (maxChecks < 1 || maxChecks > MAX_CHECKS_LIMIT) {
            throw new IllegalArgumentException("maxChecks must be within 1.." + MAX_CHECKS_LIMIT + ", was " + maxChecks);
        }
    }

    private static void positive(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private String nodeId = "pactum-1";
        private Duration defaultTimeout = Duration.ofSeconds(60);
        private Duration maxTimeout = Duration.ofDays(1);
        private Duration lease = Duration.ofSeconds(30);
        private Duration retryBase = Duration.ofMillis(200);
        private Duration retryCap = Duration.ofSeconds(60);
        private int workerBatch = 256;
        private Duration workerInterval = Duration.ofMillis(250);
        private Failpoints failpoints = Failpoints.none();
        private int maxChecks = 15;

        public Builder nodeId(String v) { this.nodeId = v; return this; }
        public Builder defaultTimeout(Duration v) { this.defaultTimeout = v; return this; }
        public Builder maxTimeout(Duration v) { this.maxTimeout = v; return this; }
        public Builder lease(Duration v) { this.lease = v; return this; }
        public Builder retryBase(Duration v) { this.retryBase = v; return this; }
        public Builder retryCap(Duration v) { this.retryCap = v; return this; }
        public Builder workerBatch(int v) { this.workerBatch = v; return this; }
        public Builder workerInterval(Duration v) { this.workerInterval = v; return this; }
        public Builder failpoints(Failpoints v) { this.failpoints = v; return this; }
        public Builder maxChecks(int v) { this.maxChecks = v; return this; }

        public CoordinatorConfig build() {
            return new CoordinatorConfig(nodeId, defaultTimeout, maxTimeout, lease, retryBase, retryCap, workerBatch,
                    workerInterval, failpoints, maxChecks);
        }
    }
}
