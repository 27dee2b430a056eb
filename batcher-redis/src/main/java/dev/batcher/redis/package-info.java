/**
 * Batcher's distributed parts on a real Redis (Spring Data Redis with Lettuce). {@link
 * dev.batcher.redis.RedisSharedCapacity} shares one capacity between instances through partition leases
 * (go-batcher's {@code AzureSharedResource}); {@link dev.batcher.redis.SharedCapacityOptions} configures it.
 */
package dev.batcher.redis;
