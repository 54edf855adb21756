package dev.pactum.server.http;

import dev.pactum.api.ErrorBody;

/** An error answer decided by the HTTP layer itself (bad JSON, body too large, unknown route). */
final class HttpError extends RuntimeException {
    final int status;
    final ErrorBody body;

    HttpError(int status, String code, String message, String field) {
        super(message, null, false, false);
        this.status = status;
        this.body = new ErrorBody(code, message, field, null, null);
    }
}
