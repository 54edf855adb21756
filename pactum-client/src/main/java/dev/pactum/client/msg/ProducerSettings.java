package dev.pactum.client.msg;

import dev.pactum.client.barrier.BarrierDialect;
import dev.pactum.client.barrier.BarrierException;

import javax.sql.DataSource;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * The settings every message producer's builder has, whatever carries its messages: the database of the local
 * transactions and of the barrier row, and how the row is written and checked. {@link MessageProducer.Builder}
 * and pactum-rocketmq's builder extend it; each setter rejects a bad value at once.
 *
 * @param <B> the builder itself, for chaining
 */
public abstract class ProducerSettings<B extends ProducerSettings<B>> {
    DataSource dataSource;
    BarrierDialect dialect;
    Duration checkLockWait = Duration.ofSeconds(2);
    String branchId = "message";
    Clock clock = Clock.systemUTC();

    protected ProducerSettings() {
    }

    /** This builder, typed as itself. */
    protected abstract B self();

    /** The database of the local transactions and the barrier table. */
    public B dataSource(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        return self();
    }

    /** The database's dialect; by default read from the data source's metadata when the producer is built. */
    public B dialect(BarrierDialect dialect) {
        this.dialect = Objects.requireNonNull(dialect, "dialect");
        return self();
    }

    /**
     * How long a check waits for a local transaction that holds its row before it answers UNKNOWN (default 2 s).
     * Keep it well under the time whoever checks waits for the answer (the coordinator's branch timeout, RocketMQ's
     * check interval); on MySQL and MariaDB it is rounded up to whole seconds.
     */
    public B checkLockWait(Duration checkLockWait) {
        this.checkLockWait = MessageBarrier.requirePositive("checkLockWait", checkLockWait);
        return self();
    }

    /** The message's branch id (default {@code message}): letters, digits and {@code . _ : -}, at most 64. */
    public B branchId(String branchId) {
        this.branchId = MessageBarrier.requireBranchId(branchId);
        return self();
    }

    /** The clock of the barrier rows' {@code created_at} (housekeeping). */
    public B clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return self();
    }

    protected final String branchId() {
        return branchId;
    }

    protected final Duration checkLockWait() {
        return checkLockWait;
    }

    /** @throws IllegalStateException naming the data source when it is missing */
    protected final void requireDataSource() {
        require(dataSource, "dataSource");
    }

    /**
     * The barrier of these settings.
     *
     * @throws IllegalStateException naming the data source when it is missing
     * @throws BarrierException      when the dialect must be detected and no connection can be had
     */
    protected final MessageBarrier barrier() {
        requireDataSource();
        BarrierDialect d = dialect != null ? dialect : MessageBarrier.detectDialect(dataSource);
        return new MessageBarrier(dataSource, d, clock, checkLockWait);
    }

    /** @throws IllegalStateException {@code name + " is required"} when {@code value} is null */
    protected static void require(Object value, String name) {
        if (value == null) {
            throw new IllegalStateException(name + " is required");
        }
    }
}
