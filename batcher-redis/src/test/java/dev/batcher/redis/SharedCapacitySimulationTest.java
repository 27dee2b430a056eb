package dev.batcher.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * go-batcher's published case in small: three instances with uneven, bursty needs, each provisioned for its own
 * peak (static partitioning) against one shared capacity sized for the peak of the total (reserved capacity for the
 * base load, partitions for the bursts). Real Redis, real time: 60 steps of 200 ms. Prints a table (also written to
 * {@code target/shared-capacity-simulation.md}); {@code docs/shared-capacity.md} quotes it.
 */
class SharedCapacitySimulationTest {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private static final int STEPS = 60;
    private static final long STEP_MILLIS = 200;
    private static final long RESERVED = 2;
    private static final String[] NAMES = {"A", "B", "C"};

    private final List<RedisSharedCapacity> limiters = new ArrayList<>();
    private final ScheduledExecutorService clock = Executors.newScheduledThreadPool(2);

    @AfterEach
    void closeAll() {
        clock.shutdownNow();
        limiters.forEach(RedisSharedCapacity::close);
    }

    /** Needed capacity (cost units per second) of each instance at each step: a base load and bursts. */
    private static long[][] needs() {
        long[][] need = new long[3][STEPS];
        for (int step = 0; step < STEPS; step++) {
            need[0][step] = between(step, 4, 14) ? 16 : between(step, 40, 46) ? 12 : 2;
            need[1][step] = between(step, 16, 26) ? 14 : between(step, 48, 56) ? 10 : 1;
            need[2][step] = between(step, 28, 36) ? 12 : between(step, 8, 12) ? 6 : 2;
        }
        return need;
    }

    private static boolean between(int step, int from, int to) {
        return step >= from && step < to;
    }

    @Test
    void sharedCapacitySizedForThePeakOfTheTotalServesBurstsThatStaticPartitioningNeedsEachPeakFor()
            throws InterruptedException, IOException {
        long[][] need = needs();
        long[] peak = new long[3];
        long peakOfTotal = 0;
        long shared = 0; // the peak of the total need above the reserved capacities
        for (int step = 0; step < STEPS; step++) {
            long total = 0;
            long aboveReserved = 0;
            for (int i = 0; i < 3; i++) {
                peak[i] = Math.max(peak[i], need[i][step]);
                total += need[i][step];
                aboveReserved += Math.max(0, need[i][step] - RESERVED);
            }
            peakOfTotal = Math.max(peakOfTotal, total);
            shared = Math.max(shared, aboveReserved);
        }
        long staticTotal = peak[0] + peak[1] + peak[2];
        String name = "simulation-" + UUID.randomUUID();
        redis.newTemplate().opsForValue().set(PartitionLeases.epochKey(name), "simulation");
        for (int i = 0; i < 3; i++) {
            RedisSharedCapacity limiter = new RedisSharedCapacity(redis.newConnectionFactory(),
                    new SharedCapacityOptions(name, shared, 1, RESERVED, Duration.ofSeconds(1),
                            Duration.ofMillis(100), "instance-" + NAMES[i]));
            limiter.start();
            limiters.add(limiter);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> limiters.stream().allMatch(l -> l.capacity() == RESERVED));

        List<long[]> samples = new ArrayList<>(); // {step, need A, B, C, granted A, B, C, elapsed ms}
        int[] current = {-1};
        CountDownLatch done = new CountDownLatch(1);
        long start = System.nanoTime();
        clock.scheduleAtFixedRate(() -> {
            int step = (int) ((System.nanoTime() - start) / TimeUnit.MILLISECONDS.toNanos(STEP_MILLIS));
            if (step >= STEPS) {
                done.countDown();
                return;
            }
            if (step != current[0]) {
                current[0] = step;
                for (int i = 0; i < 3; i++) {
                    limiters.get(i).setTarget(need[i][step]);
                }
            }
            long[] sample = new long[8];
            sample[0] = step;
            sample[7] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            for (int i = 0; i < 3; i++) {
                sample[1 + i] = need[i][step];
                sample[4 + i] = limiters.get(i).capacity();
            }
            samples.add(sample);
        }, 0, 10, TimeUnit.MILLISECONDS);
        assertThat(done.await(STEPS * STEP_MILLIS + 10_000, TimeUnit.MILLISECONDS)).isTrue();
        clock.shutdown();

        Report report = new Report(samples);
        StringBuilder table = new StringBuilder();
        table.append(String.format(Locale.ROOT, "Shared capacity simulation: 3 instances, %d steps of %d ms, "
                + "reserved %d each, shared %d in partitions of 1, lease 1 s, max interval 100 ms%n%n",
                STEPS, STEP_MILLIS, RESERVED, shared));
        table.append("| instance | peak need | static capacity | time covered (shared) | bursts | mean / max time to capacity |\n");
        table.append("|---|---:|---:|---:|---:|---:|\n");
        for (int i = 0; i < 3; i++) {
            table.append(String.format(Locale.ROOT, "| %s | %d | %d | %.1f%% | %d | %d ms / %d ms |%n", NAMES[i],
                    peak[i], peak[i], report.covered[i] * 100, report.bursts[i], report.meanDelayMillis[i],
                    report.maxDelayMillis[i]));
        }
        table.append(String.format(Locale.ROOT, "%n| capacity to provision | static partitioning | shared |%n"
                + "|---|---:|---:|%n"
                + "| total | %d (sum of the peaks) | %d (%d shared + 3 x %d reserved) |%n"
                + "| peak of the total need | %d | %d |%n"
                + "| peak of the total granted | %d | %d |%n"
                + "| mean total granted | %d | %.1f |%n",
                staticTotal, shared + 3 * RESERVED, shared, RESERVED, peakOfTotal, peakOfTotal, staticTotal,
                report.peakGrantedTotal, staticTotal, report.meanGrantedTotal));
        System.out.println(table);
        Files.writeString(Path.of("target", "shared-capacity-simulation.md"), table);

        assertThat(report.peakGrantedTotal).isLessThanOrEqualTo(shared + 3 * RESERVED);
        assertThat(shared + 3 * RESERVED).isLessThan(staticTotal * 2 / 3);
        for (int i = 0; i < 3; i++) {
            assertThat(report.maxDelayMillis[i]).as("time instance %s waited for its burst's capacity", NAMES[i])
                    .isLessThan(STEP_MILLIS * 5);
        }
    }

    /** What the samples show. */
    private static final class Report {

        final double[] covered = new double[3];
        final int[] bursts = new int[3];
        final long[] meanDelayMillis = new long[3];
        final long[] maxDelayMillis = new long[3];
        long peakGrantedTotal;
        double meanGrantedTotal;

        Report(List<long[]> samples) {
            long grantedSum = 0;
            for (int i = 0; i < 3; i++) {
                int coveredSamples = 0;
                long delaySum = 0;
                long rises = 0;
                long previousNeed = -1;
                long waitingSince = -1;
                for (int s = 0; s < samples.size(); s++) {
                    long[] sample = samples.get(s);
                    long need = sample[1 + i];
                    long granted = sample[4 + i];
                    if (granted >= need) {
                        coveredSamples++;
                    }
                    if (previousNeed >= 0 && need > previousNeed) {
                        rises++;
                        waitingSince = s;
                    }
                    if (waitingSince >= 0 && granted >= need) {
                        long delay = sample[7] - samples.get((int) waitingSince)[7];
                        delaySum += delay;
                        maxDelayMillis[i] = Math.max(maxDelayMillis[i], delay);
                        waitingSince = -1;
                    }
                    previousNeed = need;
                }
                if (waitingSince >= 0) { // never covered: count the wait until the end
                    long delay = samples.get(samples.size() - 1)[7] - samples.get((int) waitingSince)[7];
                    delaySum += delay;
                    maxDelayMillis[i] = Math.max(maxDelayMillis[i], delay);
                }
                covered[i] = (double) coveredSamples / samples.size();
                bursts[i] = (int) rises;
                meanDelayMillis[i] = rises == 0 ? 0 : delaySum / rises;
            }
            for (long[] sample : samples) {
                long total = sample[4] + sample[5] + sample[6];
                peakGrantedTotal = Math.max(peakGrantedTotal, total);
                grantedSum += total;
            }
            meanGrantedTotal = (double) grantedSum / samples.size();
        }
    }
}
