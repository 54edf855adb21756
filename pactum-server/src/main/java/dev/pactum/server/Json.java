package dev.pactum.server;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.pactum.api.ErrorBody;

/** The one JSON mapper of the server: ISO-8601 instants, nulls left out, unknown fields rejected. */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            // A misspelt field is a client bug we would rather report than silently ignore.
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private Json() {
    }

    /** An error answer's body; an {@link ErrorBody} of strings always serialises, so a failure here is a bug. */
    public static byte[] bytes(ErrorBody e) {
        try {
            return MAPPER.writeValueAsBytes(e);
        } catch (JsonProcessingException x) {
            throw new IllegalStateException(x);
        }
    }
}
