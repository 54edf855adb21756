package dev.pactum.api;

/** The transaction patterns a global transaction can follow. */
public enum TxPattern {
    /** Try / Confirm / Cancel: the client calls each Try; the coordinator Confirms or Cancels. */
    TCC,
    /** XA two-phase commit: the coordinator asks every branch to prepare, then commits or rolls back all. */
    XA,
    /**
     * Transactional ("half") message: stored invisible at begin, delivered once the producer commits, dropped if it
     * rolls back; a message still pending at its check timeout is checked back with the producer.
     */
    MSG
}
