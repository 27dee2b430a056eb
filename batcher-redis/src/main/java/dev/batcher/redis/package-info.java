/**
 * Batcher's distributed parts on a real Redis (Spring Data Redis with Lettuce). {@link
 * dev.batcher.redis.RedisSharedCapacity} shares one capacity between instances through partition leases
 * (go-batcher's {@code AzureSharedResource}); {@link dev.batcher.redis.SharedCapacityOptions} configures it. {@link
 * dev.batcher.redis.RedisTaskBroker} is the task queue's remote mode on Redis Streams ({@link
 * dev.batcher.redis.RedisTaskBrokerOptions}; see {@code docs/task-broker-redis.md}).
 */
package dev.batcher.redis;
