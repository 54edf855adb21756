package dev.pactum.server.http;

import dev.pactum.api.ErrorBody;
import dev.pactum.server.Json;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;

/**
 * The answers Jetty gives by itself, before or outside {@link ApiHandler} (a request line or header it cannot
 * parse, a bad escape in the path, headers too large, an unknown transfer coding...), as the same JSON
 * {@link ErrorBody} every other error answer has (docs/openapi.yaml promises it for every 4xx).
 *
 * <p>Jetty answers a few malformed requests with a 5xx (501 for an unknown transfer coding, 505 for an unknown
 * HTTP version). Those are the client's doing, not the server's: they become 400, so that a 5xx always means
 * "the coordinator failed, try again" and never "your request is malformed".
 */
public final class JsonErrorHandler extends ErrorHandler {

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = response.getStatus();
        Throwable cause = (Throwable) request.getAttribute(ERROR_EXCEPTION);
        String message = (String) request.getAttribute(ERROR_MESSAGE);
        if (cause instanceof HttpException he) {
            status = he.getCode();
            message = he.getReason() == null ? message : he.getReason();
        }
        status = clientStatus(status, cause);
        response.setStatus(status);
        byte[] body = body(status, message);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }

    /**
     * A request so broken that Jetty made no {@link Request} of it; the status cannot be changed here, only the
     * body (Jetty sends 400, 414 or 431 this way).
     */
    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        return ByteBuffer.wrap(body(status, reason));
    }

    /** A 5xx that Jetty chose because of what the client sent is the client's error. */
    private static int clientStatus(int status, Throwable cause) {
        if (status == HttpStatus.NOT_IMPLEMENTED_501 || status == HttpStatus.HTTP_VERSION_NOT_SUPPORTED_505
                || (status >= 500 && cause instanceof HttpException)) {
            return HttpStatus.BAD_REQUEST_400;
        }
        return status <= 0 ? HttpStatus.BAD_REQUEST_400 : status;
    }

    static byte[] body(int status, String reason) {
        String message = reason == null || reason.isBlank() ? HttpStatus.getMessage(status) : reason;
        return Json.bytes(new ErrorBody(code(status), "HTTP " + status + ": " + message, field(status), null, null));
    }

    private static String code(int status) {
        return switch (status) {
            case 400 -> "bad_request";
            case 404 -> dev.pactum.server.api.ApiDispatcher.NO_ROUTE;
            case 405 -> "method_not_allowed";
            case 408 -> "request_timeout";
            case 413 -> "too_large";
            case 414 -> "uri_too_long";
            case 431 -> "headers_too_large";
            default -> status >= 500 ? "internal" : "bad_request";
        };
    }

    private static String field(int status) {
        return switch (status) {
            case 413 -> "body";
            case 414 -> "uri";
            case 431 -> "headers";
            default -> null;
        };
    }
}
