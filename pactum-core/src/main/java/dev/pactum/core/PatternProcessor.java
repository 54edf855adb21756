package dev.pactum.core;

import dev.pactum.api.GlobalStatus;
import dev.pactum.api.TxPattern;
import dev.pactum.core.model.GlobalTransaction;

/**
 * What differs between patterns: where a submit takes an ACTIVE transaction, what must happen before the submit
 * answers, and phase 2. One implementation per pattern (DESIGN.md: one small file per transaction type).
 */
public interface PatternProcessor {
    TxPattern pattern();

    /** The status a submit moves an ACTIVE transaction to: COMMITTING (TCC) or PREPARING (XA). */
    GlobalStatus submitTarget();

    /**
     * Runs, on the submitting request's thread, what must be done before the submit answers, starting from the
     * stored result of the submit (this node holds its lease). XA votes here and returns the decided
     * transaction; TCC has nothing to do. Returns the stored transaction afterwards.
     */
    default GlobalTransaction afterSubmit(GlobalTransaction submitted) {
        return submitted;
    }

    /**
     * Makes one round of work for a transaction this node holds the lease of, found by the driver or the
     * recovery worker: phase 2 of a decided one, or whatever the pattern does with a transaction left in its
     * submit status by a coordinator that stopped (XA: presumed abort). Returns the stored transaction afterwards.
     */
    GlobalTransaction driveOnce(GlobalTransaction tx);
}
