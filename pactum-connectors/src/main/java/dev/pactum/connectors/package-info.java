/**
 * Delivery of committed messages (docs/connectors.md). The public API: {@link dev.pactum.connectors.Message},
 * {@link dev.pactum.connectors.Delivery}, {@link dev.pactum.connectors.Connectors}; the extension point:
 * {@link dev.pactum.connectors.Connector} and {@link dev.pactum.connectors.ConnectorProvider}; one sub-package per
 * built-in connector ({@code http}, {@code amqp}, {@code kafka}, {@code nats}).
 */
package dev.pactum.connectors;
