package dev.pactum.core;

import dev.pactum.api.TxPattern;
import dev.pactum.core.model.GlobalTransaction;

/**
 * Phase 2 of one pattern. The coordinator hands it a transaction whose decision is durably recorded and which
 * this node holds the lease of; the processor makes one round of calls and records what happened.
 */
public interface PatternProcessor {
    TxPattern pattern();

    /**
     * Makes one round of phase-2 calls for a decided transaction, records each branch's result, and either
     * moves the transaction to its final status or reschedules it. Returns the stored transaction afterwards.
     */
    GlobalTransaction driveOnce(GlobalTransaction decided);
}
