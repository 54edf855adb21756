/**
 * The participant of XA two-phase commit: a service runs its branch's SQL in a real XA transaction of its own
 * database (PostgreSQL, MariaDB), prepares it when the coordinator asks, commits or rolls it back when told, and
 * settles in-doubt branches after a restart with the coordinator's decision.
 *
 * <p>Entry point: {@link dev.pactum.client.xa.XaParticipant}. Transport-free: read the branch with
 * {@link dev.pactum.client.xa.XaBranchId#fromHeaders} from any HTTP server, answer with
 * {@link dev.pactum.client.xa.XaResult#httpStatus()}. Id mapping: {@link dev.pactum.client.xa.XaIds}.
 * Lifecycle, recovery rules and database facts: docs/xa-participant.md.
 */
package dev.pactum.client.xa;
