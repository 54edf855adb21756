package dev.pactum.client.inbox;

/**
 * Thrown by {@link InboxWork} to refuse a message for good (it can never be applied: an unknown account, a payload
 * that does not parse). The inbox rolls back and answers {@link InboxResult#REFUSED}.
 */
public class MessageRefusedException extends RuntimeException {
    public MessageRefusedException(String message) {
        super(message);
    }
}
