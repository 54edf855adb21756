package dev.pactum.api;

/** Body of {@code POST /api/v1/transactions/{gid}/abort}. */
public record AbortRequest(String reason) {
}
