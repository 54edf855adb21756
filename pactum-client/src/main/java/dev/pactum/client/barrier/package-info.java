/**
 * The participant's TCC barrier: runs Try, Confirm and Cancel so that duplicates take effect once, a Cancel
 * without a Try is an empty compensation and a Try after its Cancel does nothing.
 *
 * <p>Entry point: {@link dev.pactum.client.barrier.Barrier}. Transport-free: read the branch's key with
 * {@link dev.pactum.client.barrier.BarrierKey#fromHeaders} from any HTTP server, answer with
 * {@link dev.pactum.client.barrier.BarrierResult#httpStatus()}. Design and timelines: docs/barrier.md.
 */
package dev.pactum.client.barrier;
