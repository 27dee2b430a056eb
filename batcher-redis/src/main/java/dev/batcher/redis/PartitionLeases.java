package dev.batcher.redis;

import java.util.ArrayList;
import java.util.List;
import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * The Redis side of a shared capacity: key names and the three Lua scripts ({@code acquire.lua}, {@code renew.lua},
 * {@code release.lua} beside this class), run with EVALSHA (Spring Data Redis falls back to EVAL when Redis does
 * not know the script, for example after a restart). Every call blocks the calling thread: only the limiter's own
 * thread calls it. Failures come out as Spring's {@code DataAccessException}s.
 *
 * <p>Keys, all with the hash tag {@code {name}} so that they live in one Redis Cluster slot:
 * {@code batcher:capacity:{name}:partition:<index>} (one lease per partition, value: the holder's lease token,
 * TTL: the lease time), {@code batcher:capacity:{name}:epoch} (no TTL; its absence tells that Redis lost the leases)
 * and {@code batcher:capacity:{name}:fence} (TTL: one lease time after the leases were lost).
 */
final class PartitionLeases {

    private static final RedisScript<List> ACQUIRE = script("acquire.lua");
    private static final RedisScript<List> RENEW = script("renew.lua");
    private static final RedisScript<Long> RELEASE = RedisScript.of(
            new ClassPathResource("release.lua", PartitionLeases.class), Long.class);

    private final StringRedisTemplate redis;
    private final SharedCapacityOptions options;
    private final String prefix;
    private final String leaseMillis;

    PartitionLeases(StringRedisTemplate redis, SharedCapacityOptions options) {
        this.redis = redis;
        this.options = options;
        this.prefix = keyPrefix(options.name());
        this.leaseMillis = Long.toString(options.leaseTime().toMillis());
    }

    /** The prefix of every key of the shared resource {@code name}. */
    static String keyPrefix(String name) {
        return "batcher:capacity:{" + name + "}:";
    }

    /** The key whose absence tells that Redis lost the leases of the shared resource {@code name}. */
    static String epochKey(String name) {
        return keyPrefix(name) + "epoch";
    }

    /** The key of partition {@code index}. */
    String partitionKey(int index) {
        return prefix + "partition:" + index;
    }

    /**
     * Tries the candidates in order and takes free ones until their capacity reaches {@code wanted}.
     *
     * @param token the value stored in each lease taken
     * @param candidates partition indexes, in the order to try them
     * @param wanted the capacity wanted
     * @return the partitions taken, or how long no partition is handed out
     */
    Acquired acquire(String token, List<Integer> candidates, long wanted) {
        List<String> keys = new ArrayList<>(candidates.size() + 2);
        keys.add(epochKey(options.name()));
        keys.add(prefix + "fence");
        Object[] args = new Object[candidates.size() + 3];
        args[0] = token;
        args[1] = leaseMillis;
        args[2] = Long.toString(wanted);
        for (int i = 0; i < candidates.size(); i++) {
            keys.add(partitionKey(candidates.get(i)));
            args[i + 3] = Long.toString(options.capacityOf(candidates.get(i)));
        }
        List<?> result = redis.execute(ACQUIRE, keys, args);
        long fence = number(result.get(0));
        List<Integer> taken = new ArrayList<>(result.size() - 1);
        for (int i = 1; i < result.size(); i++) {
            taken.add(candidates.get((int) number(result.get(i)) - 1));
        }
        return new Acquired(fence, taken);
    }

    /**
     * Renews leases for another lease time.
     *
     * @param partitions the partitions held
     * @param tokens each partition's lease token, in the same order
     * @return for each partition, whether it is still held
     */
    boolean[] renew(List<Integer> partitions, List<String> tokens) {
        List<String> keys = new ArrayList<>(partitions.size());
        Object[] args = new Object[partitions.size() + 1];
        args[0] = leaseMillis;
        for (int i = 0; i < partitions.size(); i++) {
            keys.add(partitionKey(partitions.get(i)));
            args[i + 1] = tokens.get(i);
        }
        List<?> result = redis.execute(RENEW, keys, args);
        boolean[] renewed = new boolean[partitions.size()];
        for (int i = 0; i < renewed.length; i++) {
            renewed[i] = number(result.get(i)) == 1;
        }
        return renewed;
    }

    /**
     * Deletes leases that still carry their token.
     *
     * @param partitions the partitions to give back
     * @param tokens each partition's lease token, in the same order
     * @return how many were deleted
     */
    long release(List<Integer> partitions, List<String> tokens) {
        List<String> keys = new ArrayList<>(partitions.size());
        for (int partition : partitions) {
            keys.add(partitionKey(partition));
        }
        Long released = redis.execute(RELEASE, keys, tokens.toArray());
        return released == null ? 0 : released;
    }

    private static long number(Object value) {
        return value instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(value));
    }

    @SuppressWarnings("rawtypes")
    private static RedisScript<List> script(String file) {
        return RedisScript.of(new ClassPathResource(file, PartitionLeases.class), List.class);
    }

    /**
     * The outcome of {@link #acquire}.
     *
     * @param fenceMillis how long no partition is handed out (Redis lost the leases), or 0
     * @param partitions the partitions taken
     */
    record Acquired(long fenceMillis, List<Integer> partitions) {
    }
}
