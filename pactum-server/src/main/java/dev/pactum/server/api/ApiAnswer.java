package dev.pactum.server.api;

import java.nio.charset.StandardCharsets;

/**
 * What the API answers to one request, whatever carried it: a status, a content type, the body, the methods of an
 * {@code Allow} header (405 only, else null), and whether the body is the minimal one a {@code Prefer: return=minimal}
 * asked for.
 */
public record ApiAnswer(int status, String contentType, byte[] body, String allow, boolean minimal) {
    public static final String JSON = "application/json";
    public static final String METRICS = "text/plain; version=0.0.4; charset=utf-8";

    public String text() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
