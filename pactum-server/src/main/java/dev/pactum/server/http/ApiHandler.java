package dev.pactum.server.http;

import dev.pactum.server.api.ApiAnswer;
import dev.pactum.server.api.ApiDispatcher;
import dev.pactum.server.api.ApiError;
import dev.pactum.server.api.MinimalAnswer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * The HTTP/JSON adapter: HTTP's framing only. It reads the request (path, query, {@code Prefer}, body within the
 * limit), hands it to the {@link ApiDispatcher} every transport shares, and writes the answer. docs/openapi.yaml
 * describes the routes. Runs on virtual threads, so it may block.
 */
public final class ApiHandler extends Handler.Abstract {
    private static final String PREFER = "Prefer";
    private static final String PREFERENCE_APPLIED = "Preference-Applied";

    private final ApiDispatcher api;

    public ApiHandler(ApiDispatcher api) {
        this.api = api;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        boolean minimal = MinimalAnswer.asked(request.getHeaders().getValuesList(PREFER));
        ApiAnswer a = api.dispatch(request.getMethod(), Request.getPathInContext(request),
                request.getHttpURI().getQuery(), minimal, () -> readBody(request));
        response.setStatus(a.status());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, a.contentType());
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, a.body().length);
        if (a.minimal()) {
            response.getHeaders().put(PREFERENCE_APPLIED, MinimalAnswer.APPLIED);
        }
        if (a.allow() != null) {
            response.getHeaders().put(HttpHeader.ALLOW, a.allow());
        }
        response.write(true, ByteBuffer.wrap(a.body()), callback);
        return true;
    }

    /**
     * How much of a refused body is still read and thrown away. A server that answers 413 and closes while the
     * client is still sending makes the kernel reset the connection, and the client may lose the answer ("no
     * bytes"); reading the rest first lets it arrive. Beyond this the connection is simply closed.
     */
    private static final int DRAIN_LIMIT = 1024 * 1024;

    private byte[] readBody(Request request) throws IOException {
        int max = api.maxBodyBytes();
        try (InputStream in = Content.Source.asInputStream(request)) {
            if (request.getLength() > max) {
                drain(in, request.getLength());
                throw api.tooLarge();
            }
            byte[] raw;
            try {
                raw = in.readNBytes(max + 1);
            } catch (IOException | RuntimeException e) {
                // Cut short, a chunk that does not parse, a Content-Length the body does not match: the client's doing.
                throw new ApiError(400, "bad_request", "the body cannot be read: " + e.getMessage(), "body");
            }
            if (raw.length > max) {
                drain(in, DRAIN_LIMIT);
                throw api.tooLarge();
            }
            return raw;
        }
    }

    private static void drain(InputStream in, long length) {
        if (length > DRAIN_LIMIT) {
            return;
        }
        try {
            in.skipNBytes(Math.min(length, DRAIN_LIMIT));
        } catch (IOException | RuntimeException shorter) {
            // The body ended early or broke: nothing more to read, the answer goes out as it is.
        }
    }
}
