package dev.pactum.api;

import java.util.List;

/** Answer of {@code GET /api/v1/transactions}: one page, and the id to pass as {@code after} for the next. */
public record TransactionList(List<TransactionView> transactions, String next) {
}
