package dev.pactum.store.jdbc;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pactum.api.Operation;

import java.util.List;

/**
 * A branch's operations as the JSON text of the {@code operations} column:
 * {@code [{"name":"confirm","target":"http://..."}, {"name":"deliver","target":"kafka://...","payload":"...","key":"k",
 * "headers":{"a":"b"}}, ...]}, absent fields left out (rows written earlier have {@code "payload":null}). JSON rather than a table of its own: the
 * operations are written once, with the branch, and always read with it, and an operator reads them in any SQL
 * client.
 */
final class OperationsJson {
    private static final ObjectMapper JSON = new ObjectMapper()
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);
    private static final TypeReference<List<Operation>> LIST = new TypeReference<>() {
    };

    private OperationsJson() {
    }

    static String encode(List<Operation> ops) {
        try {
            return JSON.writeValueAsString(ops);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot encode operations " + ops, e);
        }
    }

    /** @param where names the row, for the message if the column does not hold what this class wrote */
    static List<Operation> decode(String text, String where) {
        if (text == null) {
            throw new IllegalStateException("branch " + where + " has no operations");
        }
        try {
            return JSON.readValue(text, LIST);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("branch " + where + " has unreadable operations: " + e.getOriginalMessage(), e);
        }
    }
}
