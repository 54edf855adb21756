package dev.pactum.rocketmq;

import dev.pactum.api.InvalidInputException;
import dev.pactum.api.MessageId;
import dev.pactum.client.barrier.BarrierException;
import dev.pactum.client.barrier.BranchWork;
import dev.pactum.client.msg.CheckAnswer;
import dev.pactum.client.msg.MessageBarrier;
import dev.pactum.client.msg.MessageException;
import dev.pactum.client.msg.ProducerSettings;
import dev.pactum.client.msg.SendResult;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.client.producer.TransactionMQProducer;
import org.apache.rocketmq.client.producer.TransactionSendResult;
import org.apache.rocketmq.common.message.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
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
    /**
     * The code of a {@link MessageException} for a half message the broker did not store, or whose answer never
     * came: the local transaction did not run. One the broker stored anyway is rolled back by its check-back, which
     * finds no row (and marks it, so no late transaction can commit it).
     */
    public static final String NOT_SENT = "message_not_sent";
    /** RocketMQ's topic rule (TopicValidator): letters, digits, {@code _ - %}, at most 127. */
    private static final Pattern TOPIC = Pattern.compile("[%A-Za-z0-9_-]{1,127}");
    private static final Logger log = LoggerFactory.getLogger(RocketMqProducer.class);

    private final MessageBarrier barrier;
    private final TransactionMQProducer producer;
    private final String branchId;
    private final String description;

    private RocketMqProducer(Builder b, MessageBarrier barrier, String branchId, Duration checkLockWait) {
        this.barrier = barrier;
        this.branchId = branchId;
        this.producer = new TransactionMQProducer(b.producerGroup);
        producer.setNamesrvAddr(b.nameServer);
        // Several producers of one group in one JVM (a test, a service with two data sources) each need a client.
        producer.setInstanceName(b.producerGroup + "-" + UUID.randomUUID());
        producer.setSendMsgTimeout((int) b.sendTimeout.toMillis());
        producer.setVipChannelEnabled(false);
        producer.setTransactionListener(new BarrierTransactionListener(barrier, b.onCheck, b.afterLocalCommit));
        this.description = "RocketMqProducer{nameServer=" + b.nameServer + ", producerGroup=" + b.producerGroup
                + ", dialect=" + barrier.dialect() + ", branchId=" + branchId + ", checkLockWait=" + checkLockWait
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

    /**
     * Validating builder: every setter rejects a bad value at once; {@link #build} rejects what is missing. The
     * database settings are {@link ProducerSettings}'.
     */
    public static final class Builder extends ProducerSettings<Builder> {
        private static final Pattern GROUP = Pattern.compile("[%A-Za-z0-9_-]{1,255}");

        private String nameServer;
        private String producerGroup;
        private Duration sendTimeout = Duration.ofSeconds(3);
        private BiConsumer<MessageId, CheckAnswer> onCheck = (id, answer) -> { };
        private Runnable afterLocalCommit = () -> { };

        private Builder() {
        }

        @Override
        protected Builder self() {
            return this;
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

        /** RocketMQ's send timeout for the half message (default 3 s, RocketMQ's own). */
        public Builder sendTimeout(Duration sendTimeout) {
            this.sendTimeout = MessageBarrier.requirePositive("sendTimeout", sendTimeout);
            if (sendTimeout.toMillis() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("sendTimeout must be at most " + Integer.MAX_VALUE + " ms");
            }
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
            require(nameServer, "nameServer");
            require(producerGroup, "producerGroup");
            RocketMqProducer p = new RocketMqProducer(this, barrier(), branchId(), checkLockWait());
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
