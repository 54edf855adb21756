package dev.pactum.api;

import java.util.List;

/**
 * Body of {@code POST /api/v1/transactions/{gid}/submit}.
 *
 * @param tried the branch ids whose Try succeeded. When given, the coordinator commits only if it is
 *              exactly the set of registered branches (invariant 3 checked on the coordinator's side too).
 */
public record SubmitRequest(List<String> tried) {
}
