package dev.batcher.redis;

import dev.batcher.task.TaskQueue;
import dev.batcher.task.TaskQueueConfig;
import dev.batcher.task.TaskRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * A worker process for {@link TaskQueueAcrossProcessesTest}: a {@link TaskQueue} in remote mode, role worker, on a
 * {@link RedisTaskBroker}, running until it is killed. Tasks: {@code square(long)}; {@code square-counted(long)},
 * which also counts its runs per argument in the hash {@code <prefix>:runs} (to count duplicates);
 * {@code poison(long)}, which kills this process at once (a worker that always dies); {@code record(Map)}, which
 * counts its runs in {@code <prefix>:recorded}. Prints {@code READY} once it consumes.
 *
 * <p>Arguments: Redis port, key prefix, concurrency per task, reclaim idle time in ms, max deliveries.
 */
public final class TaskWorkerProcess {

    private TaskWorkerProcess() {
    }

    /**
     * Runs the worker.
     *
     * @param args port, key prefix, concurrency, reclaim idle time (ms), max deliveries
     * @throws InterruptedException never in practice: it waits until killed
     */
    public static void main(String[] args) throws InterruptedException {
        int port = Integer.parseInt(args[0]);
        String prefix = args[1];
        int concurrency = Integer.parseInt(args[2]);
        Duration reclaim = Duration.ofMillis(Long.parseLong(args[3]));
        int maxDeliveries = Integer.parseInt(args[4]);
        LettuceConnectionFactory factory = new LettuceConnectionFactory(
                new RedisStandaloneConfiguration("127.0.0.1", port));
        factory.afterPropertiesSet();
        factory.start();
        StringRedisTemplate redis = new StringRedisTemplate(factory);
        RedisTaskBroker broker = new RedisTaskBroker(factory, options(prefix, reclaim, maxDeliveries));
        TaskRegistry tasks = new TaskRegistry()
                .register("square", long.class, Long.class, n -> n * n)
                .register("square-counted", long.class, Long.class, n -> {
                    redis.opsForHash().increment(prefix + ":runs", Long.toString(n), 1);
                    return n * n;
                })
                .register("poison", long.class, Long.class, n -> {
                    Runtime.getRuntime().halt(137);
                    return n;
                })
                .register("record", Map.class, Long.class, map -> redis.opsForValue().increment(prefix + ":recorded"));
        TaskQueueConfig config = TaskQueueConfig.builder().mode(TaskQueueConfig.Mode.REMOTE)
                .role(TaskQueueConfig.Role.WORKER).concurrency(concurrency).build();
        TaskQueue.create("worker", config, tasks, broker).start();
        System.out.println("READY");
        System.out.flush();
        new CountDownLatch(1).await();
    }

    static RedisTaskBrokerOptions options(String prefix, Duration reclaim, int maxDeliveries) {
        return RedisTaskBrokerOptions.defaults().withKeyPrefix(prefix).withReclaimIdleTime(reclaim)
                .withMaxDeliveries(maxDeliveries).withBlockTimeout(Duration.ofMillis(200));
    }
}
