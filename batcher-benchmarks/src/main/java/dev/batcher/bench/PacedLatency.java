package dev.batcher.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Hand-off latency below saturation: one producer thread puts items at a fixed rate (one every
 * {@code 1e9 / rate} ns, spinning in between) into each pipeline in turn and records the duration of every call.
 *
 * <p>{@link LatencyBench} (JMH, {@code SampleTime}) lets its producer run flat out: when the consumer side of a
 * pipeline is slower than the producer, its buffer fills and the tail it reports is mostly the wait for room (on this
 * 2-core machine the Dispatcher's sender and callback threads share one core for the producer's one). This run
 * offers a load the pipeline can carry, as a service does, so its percentiles are the hand-off itself plus what the
 * machine's scheduling adds.
 *
 * <p>Two times per call: <em>service</em>, from the call to its return; <em>response</em>, from the moment the
 * item was due to the return. A call that stalls delays the ones due behind it; the response time counts that
 * delay (no coordinated omission), the service time does not.
 *
 * <p>Arguments: the rate in items per second (default 1,000,000), the measured seconds per pipeline (default 5),
 * and the pipelines, comma-separated (default
 * {@code dispatcherSubmit,dispatcherEnqueue,jctoolsMpsc,jctoolsMpscFutures,abqDrainTo}). Each pipeline is warmed up
 * for 3 seconds at the same rate first. Run it with its initial heap pre-touched, as {@code scripts/bench.sh} does:
 * {@code java -Xmx3g -XX:+AlwaysPreTouch -cp batcher-benchmarks/target/benchmarks.jar
 * dev.batcher.bench.PacedLatency 1000000 5}. Without it, the pipelines that allocate per item (a future) write to heap
 * pages that a fresh JVM has never touched, and the page faults put 10 µs at their p99.9 (measured 2026-11-30:
 * {@code submit} p99.9 9.8-11.8 µs, 0.31-0.55 µs with the pre-touched heap); a service that has run for a while has
 * touched its heap already. A fixed heap of 3 GB, all pre-touched, is not better: its young generation is large, and
 * the tails from the due time were 5-10 times longer.
 */
public final class PacedLatency {

    private static final double[] PERCENTILES = {0.50, 0.99, 0.999, 0.9999};

    private PacedLatency() {
    }

    /**
     * Measures every pipeline named and prints a line per pipeline and time.
     *
     * @param args the rate per second, the seconds, the pipelines (see the class comment)
     */
    public static void main(String[] args) throws Exception {
        long rate = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        List<String> impls = List.of((args.length > 2 ? args[2]
                : "dispatcherSubmit,dispatcherEnqueue,jctoolsMpsc,jctoolsMpscFutures,abqDrainTo").split(","));
        if (rate <= 0 || rate > 50_000_000 || seconds <= 0) {
            throw new IllegalArgumentException("rate must be 1-50,000,000 items/s and seconds positive, were "
                    + rate + " and " + seconds);
        }
        long count = rate * seconds;
        if (count > 200_000_000) {
            throw new IllegalArgumentException("rate x seconds = " + count + " calls; keep it at most 200,000,000");
        }
        double period = 1e9 / rate;
        System.out.printf(Locale.ROOT, "paced.rate=%d items/s, %d s per pipeline, one producer%n", rate, seconds);
        System.out.println("pipeline time achieved/s p50 p99 p99.9 p99.99 max (ns)");
        for (String impl : impls) {
            Pipeline pipeline = Pipelines.create(impl);
            Tenure.promote();
            try {
                run(pipeline, period, rate * 3, null, null);
                long[] service = new long[(int) count];
                long[] response = new long[(int) count];
                long took = run(pipeline, period, count, service, response);
                double achieved = count / (took / 1e9);
                print(impl, "service", achieved, service);
                print(impl, "response", achieved, response);
            }
            finally {
                pipeline.close();
            }
        }
    }

    /** Puts {@code count} items at the pacing {@code period}; returns the nanoseconds it took. */
    private static long run(Pipeline pipeline, double period, long count, long[] service, long[] response)
            throws Exception {
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            long due = start + (long) (i * period);
            long now;
            while ((now = System.nanoTime()) - due < 0) {
                Thread.onSpinWait();
            }
            pipeline.put(Pipelines.ITEM);
            long end = System.nanoTime();
            if (service != null) {
                service[i] = end - now;
                response[i] = end - due;
            }
        }
        return System.nanoTime() - start;
    }

    private static void print(String impl, String what, double achieved, long[] samples) {
        Arrays.sort(samples);
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%s %s %.0f", impl, what, achieved));
        for (double p : PERCENTILES) {
            line.append(' ').append(samples[(int) Math.min(samples.length - 1, Math.floor(p * samples.length))]);
        }
        line.append(' ').append(samples[samples.length - 1]);
        System.out.println(line);
    }
}
