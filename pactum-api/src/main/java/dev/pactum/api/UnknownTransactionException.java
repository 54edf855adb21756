package dev.pactum.api;

import java.util.Objects;

/**
 * The coordinator's definite answer that it has no global transaction {@link #gid()}: HTTP 404 with the error code
 * {@value #CODE} and that gid. Nothing else means "unknown": a 404 of another kind (no such route, a gateway's
 * page) says nothing about the transaction, and {@code PactumClient} reports it as a plain {@link PactumException}.
 * Whoever acts on "unknown" (the XA participant rolls an orphan back) checks that the gid is the one it asked about.
 */
public class UnknownTransactionException extends PactumException {
    public static final String CODE = "unknown_transaction";

    public UnknownTransactionException(String gid) {
        super(CODE, "no transaction " + Objects.requireNonNull(gid, "gid"), gid, null);
    }

    /** True only when {@code e} is this answer about {@code gid} itself. */
    public static boolean isAbout(Throwable e, String gid) {
        return e instanceof UnknownTransactionException u && gid != null && gid.equals(u.gid());
    }
}
