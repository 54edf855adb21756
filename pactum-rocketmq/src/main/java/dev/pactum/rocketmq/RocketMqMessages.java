package dev.pactum.rocketmq;

import dev.pactum.api.InvalidInputException;
import dev.pactum.api.MessageId;
import org.apache.rocketmq.common.message.Message;

/**
 * How a message's identity travels in a RocketMQ message, for the broker's check-back and the consumer's inbox:
 * the gid and the branch id as user properties ({@link #GID}, {@link #BRANCH_ID}), and {@link MessageId#wire()}
 * ({@code gid/branchId}) as the message's key, so RocketMQ's own tools find it by key.
 *
 * <pre>{@code
 * // the consumer, in a RocketMQ listener:
 * InboxResult r = inbox.apply(RocketMqMessages.messageId(msg), conn -> apply(conn, msg.getBody()));
 * }</pre>
 */
public final class RocketMqMessages {
    /** The user property that carries the gid. */
    public static final String GID = "PACTUM_GID";
    /** The user property that carries the branch id. */
    public static final String BRANCH_ID = "PACTUM_BRANCH_ID";

    private RocketMqMessages() {
    }

    /**
     * The identity of a message a {@link RocketMqProducer} sent, read from its user properties.
     *
     * @throws InvalidInputException naming the property when one is missing or malformed (a message from
     *                               another producer)
     */
    public static MessageId messageId(Message message) {
        String gid = message.getUserProperty(GID);
        String branchId = message.getUserProperty(BRANCH_ID);
        if (gid == null || branchId == null) {
            throw new InvalidInputException(gid == null ? GID : BRANCH_ID, "the message carries no "
                    + (gid == null ? GID : BRANCH_ID) + " property: not sent by a Pactum RocketMqProducer");
        }
        return new MessageId(gid, branchId);
    }

    /** Puts {@code id} into {@code message}: the two properties and the key. */
    static void stamp(Message message, MessageId id) {
        message.putUserProperty(GID, id.gid());
        message.putUserProperty(BRANCH_ID, id.branchId());
        message.setKeys(id.wire());
    }
}
