package dev.pactum.rocketmq;

import dev.pactum.api.MessageId;
import dev.pactum.api.PactumException;
import dev.pactum.client.barrier.BranchWork;
import dev.pactum.client.msg.CheckAnswer;
import dev.pactum.client.msg.MessageBarrier;
import org.apache.rocketmq.client.producer.LocalTransactionState;
import org.apache.rocketmq.client.producer.TransactionListener;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageConst;
import org.apache.rocketmq.common.message.MessageExt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * RocketMQ's two callbacks, both answered from the message's barrier row ({@link MessageBarrier}):
 * <ul>
 *   <li>{@link #executeLocalTransaction}, called by {@code sendMessageInTransaction} once the broker holds the
 *       half message: the caller's work and the row in one local transaction; its outcome becomes the state
 *       RocketMQ sends with {@code endTransaction};</li>
 *   <li>{@link #checkLocalTransaction}, the broker's check-back of a half message whose end it never got:
 *       {@link MessageBarrier#check}, which inserts the row as a rollback mark unless the local transaction
 *       committed it, and waits (bounded) while that transaction is in flight.</li>
 * </ul>
 *
 * <pre>
 *  barrier answer   LocalTransactionState
 *  COMMITTED        COMMIT_MESSAGE      the broker makes the message visible
 *  ROLLED_BACK      ROLLBACK_MESSAGE    the broker drops the half message
 *  UNKNOWN          UNKNOW              the broker checks again, up to transactionCheckMax times
 * </pre>
 *
 * Neither callback throws: RocketMQ would turn an exception into UNKNOW and lose the reason.
 */
final class BarrierTransactionListener implements TransactionListener {
    private static final Logger log = LoggerFactory.getLogger(BarrierTransactionListener.class);

    private final MessageBarrier barrier;
    private final BiConsumer<MessageId, CheckAnswer> onCheck;
    private final Runnable afterLocalCommit;

    BarrierTransactionListener(MessageBarrier barrier, BiConsumer<MessageId, CheckAnswer> onCheck,
                               Runnable afterLocalCommit) {
        this.barrier = barrier;
        this.onCheck = onCheck;
        this.afterLocalCommit = afterLocalCommit;
    }

    /** One {@code send}: its message's identity and work in, the local transaction's outcome out. */
    static final class Attempt {
        final MessageId id;
        final BranchWork work;
        MessageBarrier.LocalOutcome outcome;

        Attempt(MessageId id, BranchWork work) {
            this.id = id;
            this.work = Objects.requireNonNull(work, "localWork");
        }
    }

    @Override
    public LocalTransactionState executeLocalTransaction(Message msg, Object arg) {
        Attempt attempt = (Attempt) arg;
        attempt.outcome = barrier.runLocal(attempt.id.gid(), attempt.id.branchId(), attempt.work);
        if (attempt.outcome.answer() == CheckAnswer.COMMITTED) {
            afterLocalCommit.run();
        }
        return state(attempt.outcome.answer());
    }

    @Override
    public LocalTransactionState checkLocalTransaction(MessageExt msg) {
        MessageId id;
        try {
            id = RocketMqMessages.messageId(msg);
        } catch (PactumException e) {
            // Not ours (another producer of this group): say nothing definitive about it.
            log.warn("check-back of RocketMQ message {} (topic {}): {}; answering UNKNOW", msg.getMsgId(),
                    msg.getTopic(), e.getMessage());
            return LocalTransactionState.UNKNOW;
        }
        CheckAnswer answer;
        try {
            answer = barrier.check(id.gid(), id.branchId());
        } catch (RuntimeException e) {
            log.warn("check-back of message {}: {}; answering UNKNOW", id.wire(), e.toString());
            answer = CheckAnswer.UNKNOWN;
        }
        log.info("check-back of message {} (RocketMQ {}, check {}): {}", id.wire(), msg.getTransactionId(),
                msg.getProperty(MessageConst.PROPERTY_TRANSACTION_CHECK_TIMES), answer);
        onCheck.accept(id, answer);
        return state(answer);
    }

    static LocalTransactionState state(CheckAnswer answer) {
        return switch (answer) {
            case COMMITTED -> LocalTransactionState.COMMIT_MESSAGE;
            case ROLLED_BACK -> LocalTransactionState.ROLLBACK_MESSAGE;
            case UNKNOWN -> LocalTransactionState.UNKNOW;
        };
    }
}
