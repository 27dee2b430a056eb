package dev.batcher.bench;

import dev.batcher.dispatch.Dispatcher;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Measures the CPU time an idle dispatcher uses: creates one, submits nothing and sums the CPU time of its threads
 * over 5 seconds; then sends 1,000 items, waits for them to be sent and measures 5 more idle seconds. "Its
 * threads" are every thread started after the dispatcher was created (those named after it are listed).
 *
 * <p>Prints {@code idle.cpu.ns.fresh=N} and {@code idle.cpu.ns.afterTraffic=N} for {@code scripts/bench.sh}.
 */
public final class IdleCpu {

    static final String NAME = "idle-probe";

    public static void main(String[] args) throws Exception {
        long windowMs = args.length > 0 ? Long.parseLong(args[0]) : 5_000;
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        mx.setThreadCpuTimeEnabled(true);
        Set<Long> before = new HashSet<>();
        for (long id : mx.getAllThreadIds()) {
            before.add(id);
        }

        DispatcherPipeline pipeline = new DispatcherPipeline(NAME, false);
        Dispatcher<Long> dispatcher = pipeline.dispatcher();
        Thread.sleep(200);
        long fresh = measure(mx, before, windowMs, "fresh");
        System.out.println("idle.cpu.ns.fresh=" + fresh);

        for (int i = 0; i < 1_000; i++) {
            dispatcher.enqueue(Pipelines.ITEM);
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (pipeline.sink().items() < 1_000 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        Thread.sleep(200);
        long after = measure(mx, before, windowMs, "afterTraffic");
        System.out.println("idle.cpu.ns.afterTraffic=" + after);
        System.out.println("idle.window.ms=" + windowMs);
        pipeline.close();
    }

    private static long measure(ThreadMXBean mx, Set<Long> before, long windowMs, String phase)
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
                    .append(name.contains(NAME) ? "" : " (not named after the dispatcher)")
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
