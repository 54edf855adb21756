package dev.pactum.server.api;

import dev.pactum.api.ErrorBody;

/** An error answer decided by the API layer itself, whatever the transport (bad JSON, body too large, unknown route). */
public final class ApiError extends RuntimeException {
    final int status;
    final ErrorBody body;
    String allow;

    public ApiError(int status, String code, String message, String field) {
        super(message, null, false, false);
        this.status = status;
        this.body = new ErrorBody(code, message, field, null, null);
    }

    /** The methods to list in the Allow header of a 405. */
    public ApiError withAllow(String methods) {
        this.allow = methods;
        return this;
    }
}
