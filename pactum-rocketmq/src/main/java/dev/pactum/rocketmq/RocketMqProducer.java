package dev.pactum.rocketmq;

import dev.pactum.api.InvalidInputException;
import dev.pactum.api.MessageId;
import dev.pactum.client.barrier.BarrierDialect;
import dev.pactum.client.barrier.BarrierException;
import dev.pactum.client.barrier.BranchWork;
import dev.pactum.client.msg.CheckAnswer;
import dev.pactum.client.msg.MessageBarrier;
import dev.pactum.client.msg.MessageException;
import dev.pactum.client.msg.SendResult;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.client.producer.TransactionMQProducer;
import org.apache.rocketmq.client.producer.TransactionSendResult;
import org.apache.rocketmq.common.message.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

/**
 * {@link dev.pactum.client.msg.MessageProducer}'s API on RocketMQ's own transactional producer, for teams already on
 * RocketMQ: one call sends a message to a RocketMQ topic if and only if the caller's local transaction commits, and
 * the broker's check-back is answered from the same barrier row (docs/messages.md, "On RocketMQ itself").
 *
 * <pre>{@code
 * RocketMqProducer producer = RocketMqProducer.builder()
 *         .nameServer("rocketmq-ns:9876").producerGroup("order-service")
 *         .dataSource(orders)
 *         .build();                          // validated; starts RocketMQ's TransactionMQProducer
 * producer.createSchemaIfMissing();          // the TCC barrier's table, pactum_barrier
 * producer.send("payments", "{\"order\":1042}", conn -> insertOrder(conn, 1042));
 * }</pre>
 *
 * {@link #send}: a new gid ({@code rmq-<uuid>}) and the branch id go into the message's user properties
 * ({@link RocketMqMessages}); {@code sendMessageInTransaction} stores the half message on the broker, then runs the
 * work with the row {@code (gid, branch, 'msg')} in one local transaction, and sends the outcome with
 * {@code endTransaction}. The broker checks back a half message whose end it did not get (the process died after
 * its local commit, the one-way {@code endTransaction} was lost), and any producer of the same group answers from
 * the row: never ROLLBACK for a transaction that then commits, nor COMMIT for one that then rolls back.
 *
 * <p>Thread-safe; one per service, data source and producer group. {@link #close()} shuts RocketMQ's producer down.
 */
public final class RocketMqProducer implements AutoCloseable {
    /** The code of a {@link MessageException} for a half message the broker did not store: nothing ran. */
    public static final String NOT_SENT = "message_not_sent";
    /** RocketMQ's topic rule (TopicValidator): letters, digits, {@code _ - %}, at most 127. */
    private static final Pattern TOPIC = Pattern.compile("[%A-Za-z0-9_-]{1,127}");
    private static final Logger log = LoggerFactory.getLogger(RocketMqProducer.class);

    private final MessageBarrier barrier;
    private final TransactionMQProducer producer;
    private final String branchId;
    private final String description;

    private RocketMqProducer(Builder b, BarrierDialect dialect) {
        this.barrier = new MessageBarrier(b.dataSource, dialect, b.clock, b.checkLockWait);
        this.branchId = b.branchId;
        this.producer = new TransactionMQProducer(b.producerGroup);
        producer.setNamesrvAddr(b.nameServer);
        // Several producers of one group in one JVM (a test, a service with two data sources) each need a client.
        producer.setInstanceName(b.producerGroup + "-" + UUID.randomUUID());
        producer.setSendMsgTimeout((int) b.sendTimeout.toMillis());
        producer.setVipChannelEnabled(false);
        producer.setTransactionListener(new BarrierTransactionListener(barrier, b.onCheck, b.afterLocalCommit));
        this.description = "RocketMqProducer{nameServer=" + b.nameServer + ", producerGroup=" + b.producerGroup
                + ", dialect=" + dialect + ", branchId=" + branchId + ", checkLockWait=" + b.checkLockWait
                + ", sendTimeout=" + b.sendTimeout + "}";
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Creates the barrier table unless it exists (the TCC barrier's table). */
    public void createSchemaIfMissing() {
        barrier.createSchemaIfMissing();
    }

    /**
     * Sends {@code payload} to the RocketMQ {@code topic} if and only if {@code localWork}'s transaction commits.
     *
     * @param topic     an existing RocketMQ topic
     * @param payload   the message body (UTF-8), within RocketMQ's maximum message size (4 MiB by default)
     * @param localWork the business change, run on the transaction's connection; must not commit or roll back
     * @return {@link SendResult.State#SUBMITTED} when the local transaction committed: the commit is sent with
     *         RocketMQ's one-way {@code endTransaction}, and if it is lost the broker's check-back commits it
     * @throws RuntimeException the work's own, after the rollback (RocketMQ drops the half message)
     * @throws MessageException the local transaction did not commit, its outcome is unknown
     *                          ({@link MessageException#OUTCOME_UNKNOWN}: left to the check-back), or the broker
     *                          did not store the half message ({@link #NOT_SENT}: nothing ran)
     */
    public SendResult send(String topic, String payload, BranchWork localWork) {
        if (topic == null || !TOPIC.matcher(topic).matches()) {
            throw new InvalidInputException("topic", "topic must be 1-127 letters, digits or _ - %, was " + topic);
        }
        Objects.requireNonNull(payload, "payload");
        MessageId id = new MessageId("rmq-" + UUID.randomUUID(), branchId);
        BarrierTransactionListener.Attempt attempt = new BarrierTransactionListener.Attempt(id, localWork);
        Message message = new Message(topic, payload.getBytes(StandardCharsets.UTF_8));
        RocketMqMessages.stamp(message, id);
        TransactionSendResult sent;
        try {
            sent = producer.sendMessageInTransaction(message, attempt);
        } catch (MQClientException e) {
            throw new MessageException(NOT_SENT, id.gid(), id.branchId(), "the half message was not stored by"
                    + " RocketMQ, nothing ran: " + e.getMessage(), e);
        }
        if (attempt.outcome == null) {
            // RocketMQ runs the local transaction only after SEND_OK; it rolled the half message back itself.
            throw new MessageException(NOT_SENT, id.gid(), id.branchId(), "the broker answered "
                    + sent.getSendStatus() + " to the half message; nothing ran", null);
        }
        return switch (attempt.outcome.answer()) {
            case COMMITTED -> new SendResult(id.gid(), id.branchId(), SendResult.State.SUBMITTED, null);
            case ROLLED_BACK, UNKNOWN -> throw attempt.outcome.failure();
        };
    }

    /**
     * The check-back's answer for the message {@code (gid, branchId)}, from its barrier row, as the broker's
     * check-back gets it: {@link MessageBarrier#check}.
     */
    public CheckAnswer check(String gid, String branchId) {
        return barrier.check(gid, branchId);
    }


    @Override
    public void close() {
        producer.shutdown();
    }

    @Override
    public String toString() {
        return description;
    }

    /** Validating builder: every setter rejects a bad value at once; {@link #build} rejects what is missing. */
    public static final class Builder {
        private static final Pattern GROUP = Pattern.compile("[%A-Za-z0-9_-]{1,255}");

        private String nameServer;
        private String producerGroup;
        private DataSource dataSource;
        private BarrierDialect dialect;
        private Duration checkLockWait = Duration.ofSeconds(2);
        private Duration sendTimeout = Duration.ofSeconds(3);
        private String branchId = "message";
        private Clock clock = Clock.systemUTC();
        private BiConsumer<MessageId, CheckAnswer> onCheck = (id, answer) -> { };
        private Runnable afterLocalCommit = () -> { };

        private Builder() {
        }

        /** The RocketMQ name server(s), {@code host:port[;host:port...]}. */
        public Builder nameServer(String nameServer) {
            if (nameServer == null || !nameServer.matches("[^;\\s:]+:\\d{1,5}(;[^;\\s:]+:\\d{1,5})*")) {
                throw new IllegalArgumentException("nameServer must be host:port[;host:port...], was " + nameServer);
            }
            this.nameServer = nameServer;
            return this;
        }

        /**
         * The producer group: the broker checks a half message back with any live producer of its group, so every
         * instance of a service shares one group (and one database), and a restarted instance answers the checks
         * of messages its predecessor left.
         */
        public Builder producerGroup(String producerGroup) {
            if (producerGroup == null || !GROUP.matcher(producerGroup).matches()) {
                throw new IllegalArgumentException("producerGroup must be 1-255 letters, digits or _ - %, was "
                        + producerGroup);
            }
            this.producerGroup = producerGroup;
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

        /**
         * How long a check waits for a local transaction that holds its row before it answers UNKNOW (default
         * 2 s). Keep it under the broker's check interval; on MySQL and MariaDB it is rounded up to whole seconds.
         */
        public Builder checkLockWait(Duration checkLockWait) {
            this.checkLockWait = MessageBarrier.requirePositive("checkLockWait", checkLockWait);
            return this;
        }

        /** RocketMQ's send timeout for the half message (default 3 s, RocketMQ's own). */
        public Builder sendTimeout(Duration sendTimeout) {
            this.sendTimeout = MessageBarrier.requirePositive("sendTimeout", sendTimeout);
            if (sendTimeout.toMillis() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("sendTimeout must be at most " + Integer.MAX_VALUE + " ms");
            }
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

        /** Called after every broker check-back with its answer, on RocketMQ's check thread (metrics, alerts). */
        public Builder onCheck(BiConsumer<MessageId, CheckAnswer> onCheck) {
            this.onCheck = Objects.requireNonNull(onCheck, "onCheck");
            return this;
        }

        /** A failpoint for the crash tests: runs after the local commit, before RocketMQ's endTransaction. */
        Builder afterLocalCommit(Runnable afterLocalCommit) {
            this.afterLocalCommit = Objects.requireNonNull(afterLocalCommit, "afterLocalCommit");
            return this;
        }

        /**
         * Builds and starts RocketMQ's producer (which connects lazily, at the first send).
         *
         * @throws IllegalStateException naming what is missing, or when RocketMQ's producer does not start
         * @throws BarrierException      when the dialect must be detected and no connection can be had
         */
        public RocketMqProducer build() {
            if (nameServer == null || producerGroup == null || dataSource == null) {
                throw new IllegalStateException((nameServer == null ? "nameServer" : producerGroup == null
                        ? "producerGroup" : "dataSource") + " is required");
            }
            BarrierDialect d = dialect != null ? dialect : MessageBarrier.detectDialect(dataSource);
            RocketMqProducer p = new RocketMqProducer(this, d);
            try {
                p.producer.start();
            } catch (MQClientException e) {
                throw new IllegalStateException("RocketMQ's producer did not start: " + e.getMessage(), e);
            }
            log.info("{}", p);
            return p;
        }
    }
}
