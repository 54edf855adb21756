package dev.pactum.api;

/** JSON body of every 4xx and 5xx answer: a code, a sentence, and the field or transaction concerned. */
public record ErrorBody(String error, String message, String field, String gid, String status) {
}
