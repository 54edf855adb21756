package dev.pactum.server.http;

import dev.pactum.api.ErrorBody;

/** An error answer decided by the HTTP layer itself (bad JSON, body too large, unknown route). */
final class HttpError extends RuntimeException {
    final int status;
    final ErrorBody body;
    String allow;

    HttpError(int status, String code, String message, String field) {
        super(message, null, false, false);
        this.status = status;
        this.body = new ErrorBody(code, message, field, null, null);
    }

    /** The methods to list in the Allow header of a 405. */
    HttpError withAllow(String methods) {
        this.allow = methods;
        return this;
    }
}
