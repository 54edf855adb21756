package dev.pactum.client.msg;

import dev.pactum.api.BeginRequest;
import dev.pactum.api.BranchRequest;
import dev.pactum.api.ConflictException;
import dev.pactum.api.Headers;
import dev.pactum.api.InvalidInputException;
import dev.pactum.api.Operation;
import dev.pactum.api.PactumException;
import dev.pactum.api.TransactionView;
import dev.pactum.api.TxPattern;
import dev.pactum.client.PactumClient;
import dev.pactum.client.barrier.BarrierDialect;
import dev.pactum.client.barrier.BarrierException;
import dev.pactum.client.barrier.BarrierKey;
import dev.pactum.client.barrier.BranchWork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * The producer of transactional messages: one call sends a message if and only if the caller's local transaction
 * commits (invariant 4), and the check endpoint answers the coordinator from the same barrier row.
 *
 * <pre>{@code
 * MessageProducer producer = MessageProducer.builder()
 *         .client(pactum).dataSource(orders)
 *         .checkUrl(URI.create("http://order-service:8080/pactum/check"))
 *         .checkTimeout(Duration.ofSeconds(10))
 *         .build();
 * producer.createSchemaIfMissing();
 * producer.send("kafka://broker:9092/payments", "{\"order\":1042}", conn -> insertOrder(conn, 1042));
 *
 * // the check endpoint, in any HTTP server:
 * response.setStatus(producer.checkFromHeaders(request::getHeader).httpStatus());
 * }</pre>
 *
 * {@link #send}: begin the MSG transaction with the message as its one branch (one call), run the local work in one
 * JDBC transaction together with the barrier row {@code (gid, branch, 'msg')}, commit, then submit. When the work
 * or its transaction fails, everything is rolled back and the message aborted. When the process dies between the
 * local commit and the submit, the coordinator's check-back finds the committed row. {@link #check} is
 * definitive even while the local transaction is in flight: docs/messages.md, "The producer".
 *
 * <p>Immutable and thread-safe; one per service and data source.
 */
public final class MessageProducer {
    private static final Logger log = LoggerFactory.getLogger(MessageProducer.class);

    private final PactumClient client;
    private final URI checkUrl;
    private final Duration checkTimeout;
    private final Duration checkLockWait;
    private final String branchId;
    private final MessageBarrier barrier;

    private MessageProducer(Builder b, BarrierDialect dialect) {
        this.client = b.client;
        this.checkUrl = b.checkUrl;
        this.checkTimeout = b.checkTimeout;
        this.checkLockWait = b.checkLockWait;
        this.branchId = b.branchId;
        this.barrier = new MessageBarrier(b.dataSource, dialect, b.clock, checkLockWait);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Creates the barrier table unless it exists (the TCC barrier's table: {@link Barrier#createSchemaIfMissing}). */
    public void createSchemaIfMissing() {
        barrier.createSchemaIfMissing();
    }

    /**
     * Sends {@code payload} to {@code destination} if and only if {@code localWork}'s transaction commits.
     *
     * @param destination a destination URI the coordinator's connectors serve (docs/connectors.md)
     * @param payload     the message body, at most {@value Operation#MAX_PAYLOAD_CHARS} characters
     * @param localWork   the business change, run on the transaction's connection; must not commit or roll back
     * @return how it ended when the local transaction committed
     * @throws RuntimeException the work's own, after the rollback and the abort of the message
     * @throws MessageException the local transaction did not commit (message aborted), or its outcome is unknown
     *                          ({@link MessageException#OUTCOME_UNKNOWN}: left to the check-back)
     * @throws PactumException  the begin failed: nothing ran (a half message the coordinator stored anyway is rolled
     *                          back by its check-back, which finds no row)
     */
    public SendResult send(String destination, String payload, BranchWork localWork) {
        requireText("destination", destination);
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(localWork, "localWork");
        if (payload.length() > Operation.MAX_PAYLOAD_CHARS) {
            throw new InvalidInputException("payload", "payload must be at most " + Operation.MAX_PAYLOAD_CHARS
                    + " characters, was " + payload.length());
        }
        TransactionView begun = client.begin(new BeginRequest(null, TxPattern.MSG, checkTimeout.toMillis(),
                List.of(BranchRequest.of(branchId, List.of(new Operation("deliver", destination, payload),
                        Operation.of("check", checkUrl.toString()))))));
        String gid = begun.gid();
        MessageBarrier.LocalOutcome outcome = barrier.runLocal(gid, branchId, localWork);
        switch (outcome.answer()) {
            case ROLLED_BACK -> throw abortAfter(gid, outcome.failure());
            case UNKNOWN -> throw outcome.failure(); // the coordinator's check-back will ask again
            case COMMITTED -> {
                return submit(gid);
            }
            default -> throw new IllegalStateException("unreachable: " + outcome.answer());
        }
    }

    private SendResult submit(String gid) {
        try {
            client.submit(gid, List.of(branchId));
            return new SendResult(gid, branchId, SendResult.State.SUBMITTED, null);
        } catch (ConflictException | InvalidInputException e) {
            // The coordinator refused: the message was resolved otherwise (an operator's abort of a parked one).
            throw e;
        } catch (PactumException e) {
            log.warn("message {}/{}: committed locally, submit got no answer; the check-back will commit it: {}",
                    gid, branchId, e.getMessage());
            return new SendResult(gid, branchId, SendResult.State.LEFT_TO_CHECK_BACK, e.getMessage());
        }
    }

    /** Aborts the message after its local transaction rolled back; returns {@code cause} to throw. */
    private RuntimeException abortAfter(String gid, RuntimeException cause) {
        try {
            client.abort(gid, "local transaction rolled back: " + cause);
        } catch (RuntimeException abortFailure) {
            // The check-back rolls it back anyway: it finds no row, and its mark keeps the row from ever coming.
            cause.addSuppressed(abortFailure);
        }
        return cause;
    }

    /** The local transaction alone, for a known gid: what {@link #send} runs between the begin and the submit. */
    void runLocal(String gid, BranchWork work) {
        barrier.runUnchecked(gid, branchId, work);
    }

    /**
     * The check-back's answer for the message {@code (gid, branchId)}, from its barrier row; definitive even while
     * the local transaction is in flight: waits up to the check lock wait for it, then answers
     * {@link CheckAnswer#UNKNOWN}. A message never seen is marked rolled back, so its local transaction, if it
     * comes later, fails.
     *
     * @throws InvalidInputException naming the field when an id is missing or malformed (answer 400)
     */
    public CheckAnswer check(String gid, String branchId) {
        return barrier.check(gid, branchId);
    }

    /**
     * {@link #check} for a check-back call, read from its headers ({@link Headers#GID}, {@link Headers#BRANCH_ID},
     * {@link Headers#OP} = {@code check}); pass the HTTP server's header lookup.
     *
     * @throws InvalidInputException naming the header when one is missing or malformed (answer 400)
     */
    public CheckAnswer checkFromHeaders(Function<String, String> header) {
        String op = header.apply(Headers.OP);
        if (!"check".equals(op)) {
            throw new InvalidInputException(Headers.OP, Headers.OP + " must be check, was " + op);
        }
        String gid = header.apply(Headers.GID);
        String branch = header.apply(Headers.BRANCH_ID);
        BarrierKey.checkId(Headers.GID, gid);
        BarrierKey.checkId(Headers.BRANCH_ID, branch);
        return check(gid, branch);
    }

    public BarrierDialect dialect() {
        return barrier.dialect();
    }

    @Override
    public String toString() {
        return "MessageProducer{dialect=" + barrier.dialect() + ", checkUrl=" + checkUrl + ", checkTimeout=" + checkTimeout
                + ", checkLockWait=" + checkLockWait + ", branchId=" + branchId + "}";
    }

    private static void requireText(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidInputException(field, field + " is required");
        }
    }

    /** Validating builder: every setter rejects a bad value at once; {@link #build} rejects what is missing. */
    public static final class Builder {
        private PactumClient client;
        private DataSource dataSource;
        private BarrierDialect dialect;
        private URI checkUrl;
        private Duration checkTimeout;
        private Duration checkLockWait = Duration.ofSeconds(2);
        private String branchId = "message";
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        public Builder client(PactumClient client) {
            this.client = Objects.requireNonNull(client, "client");
            return this;
        }

        /** The database of the local transactions and the barrier table. */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
            return this;
        }

        /** The database's dialect; by default read from the data source's metadata at {@link #build}. */
        public Builder dialect(BarrierDialect dialect) {
            this.dialect = Objects.requireNonNull(dialect, "dialect");
            return this;
        }

        /** Where the coordinator calls this service's check endpoint: an absolute http or https URL. */
        public Builder checkUrl(URI checkUrl) {
            Objects.requireNonNull(checkUrl, "checkUrl");
            String scheme = checkUrl.getScheme();
            if (!checkUrl.isAbsolute() || !("http".equals(scheme) || "https".equals(scheme))
                    || checkUrl.getHost() == null) {
                throw new IllegalArgumentException("checkUrl must be an absolute http or https URL, was " + checkUrl);
            }
            if (checkUrl.getUserInfo() != null) {
                throw new IllegalArgumentException("checkUrl must carry no credentials (it is stored and shown)");
            }
            this.checkUrl = checkUrl;
            return this;
        }

        /**
         * How long the coordinator waits for the submit or abort before it checks back (the begin's
         * {@code timeoutMs}). Longer than a local transaction usually takes, or checks come early and find it in
         * flight (answered UNKNOWN after the lock wait, asked again).
         */
        public Builder checkTimeout(Duration checkTimeout) {
            this.checkTimeout = MessageBarrier.requirePositive("checkTimeout", checkTimeout);
            return this;
        }

        /**
         * How long a check waits for a local transaction that holds its row before it answers UNKNOWN (default
         * 2 s). Keep it well under the coordinator's branch timeout, so the answer arrives; on MySQL and MariaDB
         * it is rounded up to whole seconds.
         */
        public Builder checkLockWait(Duration checkLockWait) {
            this.checkLockWait = MessageBarrier.requirePositive("checkLockWait", checkLockWait);
            return this;
        }

        /** The message's branch id (default {@code message}): letters, digits and {@code . _ : -}, at most 64. */
        public Builder branchId(String branchId) {
            this.branchId = MessageBarrier.requireBranchId(branchId);
            return this;
        }

        /** The clock of the barrier rows' {@code created_at} (housekeeping). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * @throws IllegalStateException naming what is missing
         * @throws BarrierException      when the dialect must be detected and no connection can be had
         */
        public MessageProducer build() {
            require(client, "client");
            require(dataSource, "dataSource");
            require(checkUrl, "checkUrl");
            require(checkTimeout, "checkTimeout");
            BarrierDialect d = dialect != null ? dialect : MessageBarrier.detectDialect(dataSource);
            MessageProducer producer = new MessageProducer(this, d);
            log.info("{}", producer);
            return producer;
        }

        private static void require(Object value, String name) {
            if (value == null) {
                throw new IllegalStateException(name + " is required");
            }
        }
    }
}
