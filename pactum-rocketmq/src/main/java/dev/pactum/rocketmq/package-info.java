/**
 * Pactum's message producer on RocketMQ's own transactional producer: {@link dev.pactum.rocketmq.RocketMqProducer}
 * sends to a RocketMQ topic if and only if the local transaction commits, and answers the broker's check-back from
 * Pactum's barrier row; {@link dev.pactum.rocketmq.RocketMqMessages} reads a message's identity for the consumer's
 * inbox. Design: docs/messages.md, "On RocketMQ itself".
 */
package dev.pactum.rocketmq;
