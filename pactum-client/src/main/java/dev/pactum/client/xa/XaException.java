package dev.pactum.client.xa;

import dev.pactum.api.PactumException;

/**
 * An XA branch's work could not be run for a reason that is neither a refusal nor a lost race: no connection,
 * the XA start failed, or the business code threw a checked exception (the cause). Whatever was done is rolled
 * back. Answer it with an error (HTTP 500); the transaction manager then aborts the global transaction.
 */
public class XaException extends PactumException {
    public XaException(String message, Throwable cause) {
        super("xa_failed", message, cause);
    }
}
