package dev.batcher.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Measures the CPU time an idle pipeline uses: creates one, submits nothing and sums the CPU time of its threads
 * over 5 seconds; then sends 1,000 items, waits for them to be consumed and measures 5 more idle seconds. "Its
 * threads" are every thread started after the pipeline was created (those named after it are listed).
 *
 * <p>Arguments: the window in milliseconds (default 5000) and the pipeline: {@code dispatcher} (default, the target
 * of issue 7) or {@code jctoolsMpsc} (the reference, to show that its backoff ends in a park that uses no CPU).
 *
 * <p>Prints {@code idle.cpu.ns.fresh=N} and {@code idle.cpu.ns.afterTraffic=N} for {@code scripts/bench.sh}.
 */
public final class IdleCpu {

    static final String NAME = "idle-probe";

    /**
     * Runs both idle windows and prints the results.
     *
     * @param args the window in milliseconds (default 5000), then {@code dispatcher} (default) or {@code jctoolsMpsc}
     */
    public static void main(String[] args) throws Exception {
        long windowMs = args.length > 0 ? Long.parseLong(args[0]) : 5_000;
        String impl = args.length > 1 ? args[1] : "dispatcher";
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        mx.setThreadCpuTimeEnabled(true);
        Set<Long> before = new HashSet<>();
        for (long id : mx.getAllThreadIds()) {
            before.add(id);
        }

        Pipeline pipeline;
        String owner;
        switch (impl) {
            case "dispatcher" -> {
                pipeline = new DispatcherPipeline(NAME, true);
                owner = NAME;
            }
            case "jctoolsMpsc" -> {
                pipeline = new JctoolsMpscPipeline();
                owner = JctoolsMpscPipeline.CONSUMER_THREAD;
            }
            default -> throw new IllegalArgumentException(
                    "unknown pipeline '" + impl + "': use dispatcher or jctoolsMpsc");
        }
        System.out.println("idle.pipeline=" + impl);
        Thread.sleep(200);
        long fresh = measure(mx, before, windowMs, "fresh", owner);
        System.out.println("idle.cpu.ns.fresh=" + fresh);

        List<CompletableFuture<?>> sent = new ArrayList<>();
        int items = 1_000;
        for (int i = 0; i < items; i++) {
            if (pipeline.put(Pipelines.ITEM) instanceof CompletableFuture<?> future) {
                sent.add(future);
            }
        }
        if (sent.isEmpty()) {
            awaitConsumed(pipeline.sink(), items);
        } else {
            CompletableFuture.allOf(sent.toArray(CompletableFuture<?>[]::new)).get(5, TimeUnit.SECONDS);
        }
        Thread.sleep(200); // let the consumer finish its last loop and park before the window opens
        long after = measure(mx, before, windowMs, "afterTraffic", owner);
        System.out.println("idle.cpu.ns.afterTraffic=" + after);
        System.out.println("idle.window.ms=" + windowMs);
        pipeline.close();
    }

    /**
     * Waits for a pipeline without per-item futures to consume {@code items}. This thread is not measured (it was
     * started before the pipeline), so its polling does not count; the pipelines' hot path stays free of hooks.
     */
    private static void awaitConsumed(CountingSink sink, long items) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (sink.items() < items) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("only " + sink.items() + " of " + items + " items consumed in 5 s");
            }
            Thread.sleep(1);
        }
    }

    private static long measure(ThreadMXBean mx, Set<Long> before, long windowMs, String phase, String owner)
            throws InterruptedException {
        Map<Long, Long> start = cpuOfNewThreads(mx, before);
        Thread.sleep(windowMs);
        Map<Long, Long> end = cpuOfNewThreads(mx, before);
        long total = 0;
        StringBuilder threads = new StringBuilder();
        for (Map.Entry<Long, Long> e : end.entrySet()) {
            long delta = e.getValue() - start.getOrDefault(e.getKey(), 0L);
            total += delta;
            ThreadInfo info = mx.getThreadInfo(e.getKey());
            String name = info == null ? "#" + e.getKey() : info.getThreadName();
            threads.append(threads.length() == 0 ? "" : ", ").append(name)
                    .append(name.contains(owner) ? "" : " (not named after the pipeline)")
                    .append(": ").append(delta).append(" ns");
        }
        System.out.println("idle.threads." + phase + "=" + end.size() + " [" + threads + "]");
        return total;
    }

    private static Map<Long, Long> cpuOfNewThreads(ThreadMXBean mx, Set<Long> before) {
        Map<Long, Long> cpu = new LinkedHashMap<>();
        for (long id : mx.getAllThreadIds()) {
            if (before.contains(id)) {
                continue;
            }
            long ns = mx.getThreadCpuTime(id);
            if (ns >= 0) {
                cpu.put(id, ns);
            }
        }
        return cpu;
    }
}
