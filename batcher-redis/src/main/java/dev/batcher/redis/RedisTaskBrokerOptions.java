package dev.batcher.redis;

import dev.batcher.InvalidOptionException;
import java.time.Duration;
import java.util.UUID;

/**
 * How a {@link RedisTaskBroker} stores and delivers tasks. Each option is named after its property key under
 * {@code batcher.tasks.}; {@link InvalidOptionException#getOption()} carries that relative key.
 *
 * @param keyPrefix {@code redis.key-prefix}: the start of every Redis key and channel the broker uses (default
 *     {@code batcher:tasks}); brokers that should share tasks use the same prefix
 * @param reclaimIdleTime {@code reclaim-idle-time}: how long a delivered task may stay unacknowledged before another
 *     consumer takes it over (its worker is presumed dead); must be longer than the longest task runs (default 30 s)
 * @param maxDeliveries {@code max-deliveries}: how many times a task may be delivered; one more delivery moves it to
 *     the dead-letter stream instead (default 5)
 * @param resultTtl {@code result-ttl}: how long a task's reports are kept after the last one (default 1 h)
 * @param maxPayloadBytes {@code max-payload-bytes}: the largest payload {@link RedisTaskBroker#publish} accepts
 *     (default 1 MiB)
 * @param blockTimeout {@code block-timeout}: how long one blocking read waits for new tasks (a read never
 *     blocks past the consumer's next look for reclaimable tasks, every quarter of the reclaim idle time); bounds how
 *     late a consumer notices it was closed (default 1 s)
 * @param readBatch {@code read-batch}: the most tasks one read fetches (default 100)
 * @param delayedPollInterval {@code delayed-poll-interval}: how often due delayed tasks are moved to their stream
 *     (default 100 ms)
 * @param instanceId {@code instance-id}: this process's part of every consumer name (default: pid and a random
 *     suffix)
 */
public record RedisTaskBrokerOptions(String keyPrefix, Duration reclaimIdleTime, int maxDeliveries,
        Duration resultTtl, int maxPayloadBytes, Duration blockTimeout, int readBatch, Duration delayedPollInterval,
        String instanceId) {

    /** The default key prefix. */
    public static final String DEFAULT_KEY_PREFIX = "batcher:tasks";

    /** The default reclaim idle time. */
    public static final Duration DEFAULT_RECLAIM_IDLE_TIME = Duration.ofSeconds(30);

    /** The default max deliveries. */
    public static final int DEFAULT_MAX_DELIVERIES = 5;

    /** The default time reports are kept. */
    public static final Duration DEFAULT_RESULT_TTL = Duration.ofHours(1);

    /** The default payload limit: 1 MiB. */
    public static final int DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;

    /** The default blocking read timeout. */
    public static final Duration DEFAULT_BLOCK_TIMEOUT = Duration.ofSeconds(1);

    /** The default read batch. */
    public static final int DEFAULT_READ_BATCH = 100;

    /** The default delayed poll interval. */
    public static final Duration DEFAULT_DELAYED_POLL_INTERVAL = Duration.ofMillis(100);

    /**
     * Validates the options and fills in the default of every {@code null} value.
     *
     * @throws InvalidOptionException naming the offending option when a value is out of range
     */
    public RedisTaskBrokerOptions {
        if (keyPrefix == null) {
            keyPrefix = DEFAULT_KEY_PREFIX;
        }
        else if (keyPrefix.isBlank() || keyPrefix.contains("{") || keyPrefix.contains("}")) {
            throw new InvalidOptionException("redis.key-prefix", keyPrefix,
                    "must not be blank nor contain '{' or '}' (the broker adds the hash tag {<task name>} itself)");
        }
        boolean defaultReclaim = reclaimIdleTime == null;
        reclaimIdleTime = defaultReclaim ? DEFAULT_RECLAIM_IDLE_TIME : reclaimIdleTime;
        blockTimeout = blockTimeout == null ? DEFAULT_BLOCK_TIMEOUT : blockTimeout;
        resultTtl = resultTtl == null ? DEFAULT_RESULT_TTL : resultTtl;
        delayedPollInterval = delayedPollInterval == null ? DEFAULT_DELAYED_POLL_INTERVAL : delayedPollInterval;
        if (reclaimIdleTime.compareTo(Duration.ofMillis(10)) < 0) {
            throw new InvalidOptionException("reclaim-idle-time", reclaimIdleTime,
                    "must be at least 10 ms, and longer than the longest task runs (else running tasks are "
                            + "delivered again)", defaultReclaim);
        }
        if (maxDeliveries < 1) {
            throw new InvalidOptionException("max-deliveries", maxDeliveries,
                    "must be at least 1 (deliveries of one task before it goes to the dead-letter stream)");
        }
        if (resultTtl.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new InvalidOptionException("result-ttl", resultTtl,
                    "must be at least 1 s, so that a caller can read its reports");
        }
        if (maxPayloadBytes < 1 || maxPayloadBytes > 512 * 1024 * 1024) {
            throw new InvalidOptionException("max-payload-bytes", maxPayloadBytes,
                    "must be between 1 byte and 512 MiB (Redis' largest string)");
        }
        if (blockTimeout.compareTo(Duration.ofMillis(1)) < 0) {
            throw new InvalidOptionException("block-timeout", blockTimeout, "must be at least 1 ms");
        }
        if (readBatch < 1 || readBatch > 10_000) {
            throw new InvalidOptionException("read-batch", readBatch, "must be between 1 and 10000");
        }
        if (delayedPollInterval.compareTo(Duration.ofMillis(1)) < 0) {
            throw new InvalidOptionException("delayed-poll-interval", delayedPollInterval,
                    "must be at least 1 ms (it is a poll: small values cost Redis calls)");
        }
        if (instanceId == null) {
            instanceId = "pid-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8);
        }
        else if (instanceId.isBlank()) {
            throw new InvalidOptionException("instance-id", instanceId,
                    "must not be blank; leave it unset for a random id");
        }
    }

    /**
     * Options with every default.
     *
     * @return the options
     */
    public static RedisTaskBrokerOptions defaults() {
        return new RedisTaskBrokerOptions(null, null, DEFAULT_MAX_DELIVERIES, null, DEFAULT_MAX_PAYLOAD_BYTES, null,
                DEFAULT_READ_BATCH, null, null);
    }

    /**
     * A copy with another key prefix.
     *
     * @param prefix the start of every key
     * @return the new options
     */
    public RedisTaskBrokerOptions withKeyPrefix(String prefix) {
        return new RedisTaskBrokerOptions(prefix, reclaimIdleTime, maxDeliveries, resultTtl, maxPayloadBytes,
                blockTimeout, readBatch, delayedPollInterval, instanceId);
    }

    /**
     * A copy with another reclaim idle time.
     *
     * @param time how long a delivered task may stay unacknowledged
     * @return the new options
     */
    public RedisTaskBrokerOptions withReclaimIdleTime(Duration time) {
        return new RedisTaskBrokerOptions(keyPrefix, time, maxDeliveries, resultTtl, maxPayloadBytes,
                blockTimeout, readBatch, delayedPollInterval, instanceId);
    }

    /**
     * A copy with another max deliveries.
     *
     * @param deliveries deliveries of one task before it is dead-lettered
     * @return the new options
     */
    public RedisTaskBrokerOptions withMaxDeliveries(int deliveries) {
        return new RedisTaskBrokerOptions(keyPrefix, reclaimIdleTime, deliveries, resultTtl, maxPayloadBytes,
                blockTimeout, readBatch, delayedPollInterval, instanceId);
    }

    /**
     * A copy with another result time to live.
     *
     * @param ttl how long reports are kept
     * @return the new options
     */
    public RedisTaskBrokerOptions withResultTtl(Duration ttl) {
        return new RedisTaskBrokerOptions(keyPrefix, reclaimIdleTime, maxDeliveries, ttl, maxPayloadBytes,
                blockTimeout, readBatch, delayedPollInterval, instanceId);
    }

    /**
     * A copy with another payload limit.
     *
     * @param bytes the largest payload accepted
     * @return the new options
     */
    public RedisTaskBrokerOptions withMaxPayloadBytes(int bytes) {
        return new RedisTaskBrokerOptions(keyPrefix, reclaimIdleTime, maxDeliveries, resultTtl, bytes,
                blockTimeout, readBatch, delayedPollInterval, instanceId);
    }

    /**
     * A copy with another block timeout.
     *
     * @param timeout how long one blocking read waits
     * @return the new options
     */
    public RedisTaskBrokerOptions withBlockTimeout(Duration timeout) {
        return new RedisTaskBrokerOptions(keyPrefix, reclaimIdleTime, maxDeliveries, resultTtl, maxPayloadBytes,
                timeout, readBatch, delayedPollInterval, instanceId);
    }

    /**
     * A copy with another read batch.
     *
     * @param batch the most tasks one read fetches
     * @return the new options
     */
    public RedisTaskBrokerOptions withReadBatch(int batch) {
        return new RedisTaskBrokerOptions(keyPrefix, reclaimIdleTime, maxDeliveries, resultTtl, maxPayloadBytes,
                blockTimeout, batch, delayedPollInterval, instanceId);
    }

    /**
     * A copy with another delayed poll interval.
     *
     * @param interval how often due delayed tasks are moved
     * @return the new options
     */
    public RedisTaskBrokerOptions withDelayedPollInterval(Duration interval) {
        return new RedisTaskBrokerOptions(keyPrefix, reclaimIdleTime, maxDeliveries, resultTtl, maxPayloadBytes,
                blockTimeout, readBatch, interval, instanceId);
    }

    /**
     * A copy with another instance id.
     *
     * @param id this process's part of every consumer name
     * @return the new options
     */
    public RedisTaskBrokerOptions withInstanceId(String id) {
        return new RedisTaskBrokerOptions(keyPrefix, reclaimIdleTime, maxDeliveries, resultTtl, maxPayloadBytes,
                blockTimeout, readBatch, delayedPollInterval, id);
    }
}
