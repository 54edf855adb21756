package dev.pactum.client.barrier;

import java.sql.Connection;

/**
 * The business part of a branch operation (reserve, confirm or release), run by {@link Barrier#run} inside
 * the barrier's local transaction.
 *
 * <p>Use only the connection given; do not commit, roll back or close it, nor change its auto-commit mode:
 * the barrier commits the business changes and the barrier row together. Throw to roll back both:
 * {@link BranchRefusedException} for a definite "no" (answered 409), anything else for a failure the caller
 * should retry.
 */
@FunctionalInterface
public interface BranchWork {
    void run(Connection conn) throws Exception;
}
