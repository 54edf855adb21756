package dev.pactum.client.msg;

import dev.pactum.client.barrier.Barrier;
import dev.pactum.client.barrier.BarrierDialect;
import dev.pactum.client.barrier.BarrierException;
import dev.pactum.client.barrier.BranchWork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A producer's side of a transactional message without the transport: the local transaction with the message's
 * barrier row, and the check-back's answer from that row. {@link MessageProducer} drives it through the
 * coordinator; pactum-rocketmq's producer drives it through RocketMQ's own transactional producer, so both answer
 * a check by the same rule (docs/messages.md, "The producer").
 *
 * <p>Immutable and thread-safe.
 */
public final class MessageBarrier {
    /** The coordinator's id rule, stricter than the barrier's column: a branch id is sent to it. */
    private static final Pattern COORDINATOR_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    private static final Logger log = LoggerFactory.getLogger(MessageBarrier.class);

    private final DataSource dataSource;
    private final BarrierDialect dialect;
    private final LocalTransaction local;
    private final CheckBack checks;

    /**
     * @param lockWait how long a check waits for a local transaction that holds its row before it answers
     *                 {@link CheckAnswer#UNKNOWN}
     */
    public MessageBarrier(DataSource dataSource, BarrierDialect dialect, Clock clock, Duration lockWait) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.dialect = Objects.requireNonNull(dialect, "dialect");
        this.local = new LocalTransaction(dataSource, dialect, Objects.requireNonNull(clock, "clock"));
        this.checks = new CheckBack(dataSource, dialect, clock, Objects.requireNonNull(lockWait, "lockWait"));
    }

    /**
     * How a local transaction ended, as far as this process can know: {@code answer} is {@link CheckAnswer#COMMITTED}
     * (then {@code failure} is null), {@link CheckAnswer#ROLLED_BACK} (nothing committed, for good: roll the message
     * back and throw {@code failure}) or {@link CheckAnswer#UNKNOWN} (the commit threw and a check could not tell:
     * leave the message to the check-back; {@code failure} is {@link MessageException#OUTCOME_UNKNOWN}).
     */
    public record LocalOutcome(CheckAnswer answer, RuntimeException failure) {
        public LocalOutcome {
            Objects.requireNonNull(answer, "answer");
            if ((answer == CheckAnswer.COMMITTED) != (failure == null)) {
                throw new IllegalArgumentException("a failure goes with every answer but COMMITTED");
            }
        }
    }

    /**
     * Runs {@code work} in one local transaction with the message's barrier row, and commits. When the commit
     * throws, asks the row at once, as the check-back would (it waits for the database to settle), so that a
     * commit that went through is still known as one.
     */
    public LocalOutcome runLocal(String gid, String branchId, BranchWork work) {
        try {
            local.run(gid, branchId, work);
            return new LocalOutcome(CheckAnswer.COMMITTED, null);
        } catch (MessageException e) {
            if (!MessageException.OUTCOME_UNKNOWN.equals(e.code())) {
                return new LocalOutcome(CheckAnswer.ROLLED_BACK, e);
            }
            CheckAnswer answer = checks.check(gid, branchId);
            log.warn("message {}/{}: commit outcome unknown, the check answers {}", gid, branchId, answer);
            return answer == CheckAnswer.COMMITTED ? new LocalOutcome(answer, null) : new LocalOutcome(answer, e);
        } catch (RuntimeException e) {
            return new LocalOutcome(CheckAnswer.ROLLED_BACK, e);
        }
    }

    /** The local transaction alone, throwing as it failed (no check after a failed commit): for tests. */
    void runUnchecked(String gid, String branchId, BranchWork work) {
        local.run(gid, branchId, work);
    }

    /**
     * The check-back's answer for the message {@code (gid, branchId)}, from its barrier row; definitive even while
     * the local transaction is in flight (waits up to the lock wait, then {@link CheckAnswer#UNKNOWN}). A message
     * never seen is marked rolled back, so its local transaction, if it comes later, fails.
     *
     * @throws dev.pactum.api.InvalidInputException naming the field when an id is missing or malformed
     */
    public CheckAnswer check(String gid, String branchId) {
        return checks.check(gid, branchId);
    }

    /** Creates the barrier table unless it exists (the TCC barrier's table: {@link Barrier#createSchemaIfMissing}). */
    public void createSchemaIfMissing() {
        Barrier.of(dataSource, dialect).createSchemaIfMissing();
    }

    public BarrierDialect dialect() {
        return dialect;
    }

    /**
     * The dialect read from the data source's metadata (connects once).
     *
     * @throws BarrierException when no connection can be had
     */
    public static BarrierDialect detectDialect(DataSource dataSource) {
        try (Connection conn = dataSource.getConnection()) {
            return BarrierDialect.detect(conn);
        } catch (SQLException e) {
            throw new BarrierException("cannot detect the barrier dialect: " + e.getMessage(), e);
        }
    }

    /**
     * A message's branch id: letters, digits and {@code . _ : -}, at most 64 (the coordinator's rule).
     *
     * @throws IllegalArgumentException naming the rule
     */
    public static String requireBranchId(String branchId) {
        if (branchId == null || !COORDINATOR_ID.matcher(branchId).matches()) {
            throw new IllegalArgumentException("branchId must be 1-64 letters, digits or . _ : -, was " + branchId);
        }
        return branchId;
    }

    /** @throws IllegalArgumentException naming the setting unless {@code d} is positive */
    public static Duration requirePositive(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
        return d;
    }
}
