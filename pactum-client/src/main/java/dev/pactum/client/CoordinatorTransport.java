package dev.pactum.client;

import java.io.IOException;

/**
 * How {@link PactumClient} reaches the coordinator's API: HTTP ({@link HttpCoordinatorTransport}) or the wire
 * protocol ({@link WireCoordinatorTransport}, docs/wire.md). Both carry the same requests and JSON answers; only
 * the framing differs. An {@link IOException} means there is no answer (unreachable, cut, timed out): the outcome
 * of the request is unknown.
 */
interface CoordinatorTransport extends AutoCloseable {
    /** {@code path} has its query, if any; {@code json} is null for a GET. */
    HttpTransport.Answer exchange(String method, String path, boolean preferMinimal, byte[] json)
            throws IOException, InterruptedException;

    /** The coordinator's address, for messages. */
    String base();

    @Override
    void close();
}
