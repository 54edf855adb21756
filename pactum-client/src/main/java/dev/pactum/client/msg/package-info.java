/**
 * The producer of transactional messages: {@link dev.pactum.client.msg.MessageProducer} sends a message through
 * the coordinator's MSG pattern if and only if the caller's local transaction commits, and answers the
 * coordinator's check-back from the message's barrier row. Transport-free: map
 * {@link dev.pactum.client.msg.CheckAnswer#httpStatus()} in any HTTP server. Design: docs/messages.md,
 * "The producer".
 */
package dev.pactum.client.msg;
