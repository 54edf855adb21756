package dev.pactum.client.xa;

import dev.pactum.api.GlobalStatus;
import dev.pactum.api.NotFoundException;

/**
 * Where recovery learns the coordinator's decision for a global transaction. Usually
 * {@code gid -> pactumClient.get(gid).status()}, which {@link XaParticipant.Builder#coordinator} sets up.
 */
@FunctionalInterface
public interface StatusSource {
    /**
     * The global transaction's status now.
     *
     * @throws NotFoundException when the coordinator does not know {@code gid} (the branch is an orphan)
     * @throws RuntimeException  any other failure (coordinator unreachable...): recovery leaves the branch alone
     */
    GlobalStatus status(String gid);
}
