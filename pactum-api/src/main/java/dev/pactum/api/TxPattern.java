package dev.pactum.api;

/** The transaction patterns a global transaction can follow. */
public enum TxPattern {
    TCC
}
