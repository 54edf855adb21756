/**
 * The consumer's inbox: applies each delivered message once, in the consumer's own local transaction
 * ({@link dev.pactum.client.inbox.Inbox}). Only JDBC: a consumer needs no broker client from Pactum.
 * See docs/connectors.md, "The inbox".
 */
package dev.pactum.client.inbox;
