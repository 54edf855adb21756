package dev.pactum.client.inbox;

import java.sql.Connection;

/**
 * The consumer's business effect of one message, run inside the inbox's local transaction.
 *
 * <p>Use the given connection only; do not commit, roll back, close it or change its auto-commit mode: the
 * effect and the inbox row must commit together. Throw {@link MessageRefusedException} to refuse the message for
 * good; any other exception rolls everything back and is rethrown.
 */
@FunctionalInterface
public interface InboxWork {
    void apply(Connection conn) throws Exception;
}
