package dev.pactum.api;

/** The transaction patterns a global transaction can follow. */
public enum TxPattern {
    /** Try / Confirm / Cancel: the client calls each Try; the coordinator Confirms or Cancels. */
    TCC,
    /** XA two-phase commit: the coordinator asks every branch to prepare, then commits or rolls back all. */
    XA
}
