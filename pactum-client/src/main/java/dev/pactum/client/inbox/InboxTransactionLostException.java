package dev.pactum.client.inbox;

import dev.pactum.api.MessageId;

/**
 * The work returned normally, but right before the commit the inbox row this attempt wrote was no longer visible
 * in the transaction: the database had rolled the transaction back (a deadlock or another error that the work
 * caught and went on from; on PostgreSQL, any failed statement), or the work ended it with a statement of its
 * own. Committing would have reported "applied" for work the database threw away, and a redelivery would then
 * have applied it a second time; so the inbox rolled back instead. <b>Nothing was applied.</b> Answer as any
 * {@link InboxException}: the redelivery applies it.
 */
public final class InboxTransactionLostException extends InboxException {
    public InboxTransactionLostException(MessageId messageId, String message, Throwable cause) {
        super(messageId, message, cause);
    }
}
