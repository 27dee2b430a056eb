package dev.batcher.redis;

import dev.batcher.InvalidOptionException;
import java.time.Duration;
import java.util.UUID;

/**
 * How one instance takes part in a capacity shared with other instances through Redis (go-batcher's
 * {@code AzureSharedResource} options). Every instance that shares the capacity uses the same {@code name},
 * {@code sharedCapacity}, {@code partitionSize} and {@code leaseTime}; {@code reservedCapacity} and
 * {@code instanceId} are the instance's own.
 *
 * <p>The shared capacity is split into {@link #partitionCount()} partitions of {@code partitionSize} cost units per
 * second (go-batcher's factor); when the capacity is not a multiple of the size, the last partition is smaller, so
 * the partitions add up to the shared capacity exactly. At most {@value #MAX_PARTITIONS} partitions.
 *
 * <p>Validation errors are {@link InvalidOptionException}s named like the Spring Boot properties under
 * {@code batcher.batchers.<name>.}: {@code shared.name}, {@code shared.capacity}, {@code shared.partition-size},
 * {@code shared.reserved-capacity}, {@code shared.lease-time}, {@code shared.max-interval},
 * {@code shared.instance-id}.
 *
 * @param name the shared resource's name: instances with the same name share one capacity (it is part of every
 *     Redis key, {@code batcher:capacity:{name}:...})
 * @param sharedCapacity the capacity all instances share, in cost units per second, at least 1
 * @param partitionSize the capacity one lease grants (go-batcher's factor), at least 1 and large enough for at most
 *     {@value #MAX_PARTITIONS} partitions
 * @param reservedCapacity the capacity this instance always has, without any lease, 0 or more
 * @param leaseTime how long a partition lease lasts unless renewed, at least 3 times {@code maxInterval};
 *     {@code null} for the default {@value #DEFAULT_LEASE_TIME_SECONDS} s
 * @param maxInterval the longest time between two requests for partitions, at least 1 ms; {@code null} for the
 *     default {@value #DEFAULT_MAX_INTERVAL_MILLIS} ms
 * @param instanceId this instance's id, stored as the value of the leases it holds; unique per instance;
 *     {@code null} for a random one
 */
public record SharedCapacityOptions(String name, long sharedCapacity, long partitionSize, long reservedCapacity,
        Duration leaseTime, Duration maxInterval, String instanceId) {

    /** The most partitions a shared capacity is split into (go-batcher's limit). */
    public static final int MAX_PARTITIONS = 500;

    /** Default lease time in seconds (go-batcher's). */
    public static final long DEFAULT_LEASE_TIME_SECONDS = 15;

    /** Default max interval between requests for partitions, in milliseconds (go-batcher's). */
    public static final long DEFAULT_MAX_INTERVAL_MILLIS = 500;

    /** Default lease time: {@value #DEFAULT_LEASE_TIME_SECONDS} s. */
    public static final Duration DEFAULT_LEASE_TIME = Duration.ofSeconds(DEFAULT_LEASE_TIME_SECONDS);

    /** Default max interval between requests for partitions: {@value #DEFAULT_MAX_INTERVAL_MILLIS} ms. */
    public static final Duration DEFAULT_MAX_INTERVAL = Duration.ofMillis(DEFAULT_MAX_INTERVAL_MILLIS);

    /**
     * Validates the options and fills in defaults for {@code null} lease time, max interval and instance id.
     *
     * @throws InvalidOptionException naming the offending option when a value is out of range
     */
    public SharedCapacityOptions {
        if (name == null || name.isBlank()) {
            throw new InvalidOptionException("shared.name", name,
                    "must name the shared resource (instances with the same name share one capacity)");
        }
        if (sharedCapacity < 1) {
            throw new InvalidOptionException("shared.capacity", sharedCapacity,
                    "must be at least 1 cost unit per second; for a capacity that is not shared, use a provisioned "
                            + "capacity instead");
        }
        if (partitionSize < 1) {
            throw new InvalidOptionException("shared.partition-size", partitionSize,
                    "must be at least 1 cost unit per second");
        }
        long count = ceilDiv(sharedCapacity, partitionSize);
        if (count > MAX_PARTITIONS) {
            throw new InvalidOptionException("shared.partition-size", partitionSize,
                    "splits shared.capacity=" + sharedCapacity + " into " + count + " partitions, more than the "
                            + MAX_PARTITIONS + " allowed; use a partition size of at least "
                            + ceilDiv(sharedCapacity, MAX_PARTITIONS));
        }
        if (reservedCapacity < 0) {
            throw new InvalidOptionException("shared.reserved-capacity", reservedCapacity,
                    "must be 0 or more cost units per second");
        }
        if (Long.MAX_VALUE - sharedCapacity < reservedCapacity) {
            throw new InvalidOptionException("shared.reserved-capacity", reservedCapacity,
                    "plus shared.capacity=" + sharedCapacity + " overflows a long");
        }
        boolean defaultLease = leaseTime == null;
        boolean defaultInterval = maxInterval == null;
        leaseTime = defaultLease ? DEFAULT_LEASE_TIME : leaseTime;
        maxInterval = defaultInterval ? DEFAULT_MAX_INTERVAL : maxInterval;
        if (maxInterval.compareTo(Duration.ofMillis(1)) < 0) {
            throw new InvalidOptionException("shared.max-interval", maxInterval, "must be at least 1 ms",
                    defaultInterval);
        }
        if (leaseTime.compareTo(maxInterval.multipliedBy(3)) < 0) {
            if (defaultLease && !defaultInterval) {
                throw new InvalidOptionException("shared.max-interval", maxInterval,
                        "must be at most a third of shared.lease-time=" + leaseTime
                                + ", so that a lease is renewed before it ends; lower it or raise shared.lease-time");
            }
            throw new InvalidOptionException("shared.lease-time", leaseTime,
                    "must be at least 3 times shared.max-interval=" + maxInterval
                            + ", so that a lease is renewed before it ends; raise it or lower shared.max-interval",
                    defaultLease);
        }
        if (instanceId == null) {
            instanceId = "pid-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID();
        }
        else if (instanceId.isBlank()) {
            throw new InvalidOptionException("shared.instance-id", instanceId,
                    "must not be blank; leave it unset for a random id");
        }
    }

    /**
     * Options with go-batcher's defaults: no reserved capacity, a 15 s lease, a 500 ms max interval and a random
     * instance id.
     *
     * @param name the shared resource's name
     * @param sharedCapacity the capacity all instances share, in cost units per second
     * @param partitionSize the capacity one lease grants
     * @return the options
     * @throws InvalidOptionException when a value is out of range
     */
    public static SharedCapacityOptions of(String name, long sharedCapacity, long partitionSize) {
        return new SharedCapacityOptions(name, sharedCapacity, partitionSize, 0, null, null, null);
    }

    /**
     * A copy with another reserved capacity.
     *
     * @param capacity the capacity this instance always has, 0 or more
     * @return the new options
     */
    public SharedCapacityOptions withReservedCapacity(long capacity) {
        return new SharedCapacityOptions(name, sharedCapacity, partitionSize, capacity, leaseTime, maxInterval,
                instanceId);
    }

    /**
     * A copy with another lease time.
     *
     * @param time how long a lease lasts unless renewed
     * @return the new options
     */
    public SharedCapacityOptions withLeaseTime(Duration time) {
        return new SharedCapacityOptions(name, sharedCapacity, partitionSize, reservedCapacity, time, maxInterval,
                instanceId);
    }

    /**
     * A copy with another max interval.
     *
     * @param interval the longest time between two requests for partitions
     * @return the new options
     */
    public SharedCapacityOptions withMaxInterval(Duration interval) {
        return new SharedCapacityOptions(name, sharedCapacity, partitionSize, reservedCapacity, leaseTime, interval,
                instanceId);
    }

    /**
     * A copy with another instance id.
     *
     * @param id this instance's id, unique per instance
     * @return the new options
     */
    public SharedCapacityOptions withInstanceId(String id) {
        return new SharedCapacityOptions(name, sharedCapacity, partitionSize, reservedCapacity, leaseTime,
                maxInterval, id);
    }

    /** How many partitions the shared capacity is split into: the capacity divided by the size, rounded up. */
    public int partitionCount() {
        return (int) ceilDiv(sharedCapacity, partitionSize);
    }

    /**
     * The capacity partition {@code index} grants: the partition size, except for a smaller last partition when
     * the shared capacity is not a multiple of it.
     *
     * @param index from 0 to {@link #partitionCount()} - 1
     * @return the partition's capacity in cost units per second
     */
    public long capacityOf(int index) {
        if (index < 0 || index >= partitionCount()) {
            throw new IndexOutOfBoundsException("partition " + index + " of " + partitionCount());
        }
        return Math.min(partitionSize, sharedCapacity - index * partitionSize);
    }

    /** The most capacity this instance can be granted: its reserved capacity plus the whole shared capacity. */
    public long maxCapacity() {
        return reservedCapacity + sharedCapacity;
    }

    private static long ceilDiv(long x, long y) {
        return -Math.floorDiv(-x, y);
    }
}
