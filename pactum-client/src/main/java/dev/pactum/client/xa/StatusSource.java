package dev.pactum.client.xa;

import dev.pactum.api.GlobalStatus;
import dev.pactum.api.UnknownTransactionException;

/**
 * Where recovery learns the coordinator's decision for a global transaction. Usually
 * {@code gid -> pactumClient.get(gid).status()}, which {@link XaParticipant.Builder#coordinator} sets up.
 */
@FunctionalInterface
public interface StatusSource {
    /**
     * The global transaction's status now.
     *
     * @throws UnknownTransactionException when the coordinator definitely does not know {@code gid} (the branch
     *                                     is an orphan); recovery checks that the exception's gid is {@code gid}
     * @throws RuntimeException            any other failure (coordinator unreachable, an answer that is not the
     *                                     coordinator's...): recovery leaves the branch prepared and asks again
     */
    GlobalStatus status(String gid);
}
