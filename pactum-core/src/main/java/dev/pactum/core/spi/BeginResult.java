package dev.pactum.core.spi;

import dev.pactum.core.model.GlobalTransaction;

/** What {@link TransactionStore#begin} found: the stored transaction and whether this call created it. */
public record BeginResult(GlobalTransaction transaction, boolean created) {
}
