package dev.batcher.bench;

import dev.batcher.dispatch.Dispatcher;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

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

        CompletableFuture<?>[] sent = new CompletableFuture<?>[1_000];
        for (int i = 0; i < sent.length; i++) {
            sent[i] = dispatcher.submit(Pipelines.ITEM);
        }
        CompletableFuture.allOf(sent).get(5, TimeUnit.SECONDS);
        Thread.sleep(200); // let the sender finish its last loop and park before the window opens
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
