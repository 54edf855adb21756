package dev.pactum.client.inbox;

import dev.pactum.api.MessageId;

/**
 * The inbox could not tell that a message was applied: a database failure, a commit whose outcome is unknown, or
 * a checked exception of the work (the cause). Nothing is acknowledged: answer it as a failure (HTTP 500,
 * negative-acknowledge with requeue), and the redelivery finds out (it is {@link InboxResult#ALREADY_APPLIED} if
 * the first attempt did commit).
 */
public class InboxException extends RuntimeException {
    private final transient MessageId messageId;

    public InboxException(MessageId messageId, String message, Throwable cause) {
        super(message, cause);
        this.messageId = messageId;
    }

    /** The message the failed call was applying. */
    public MessageId messageId() {
        return messageId;
    }
}
