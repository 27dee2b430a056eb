package dev.batcher.modelcheck;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import kotlin.Unit;
import org.junit.jupiter.api.Assumptions;
import org.pastalab.fray.core.TestRunner;
import org.pastalab.fray.core.command.Configuration;
import org.pastalab.fray.core.command.ExecutionInfo;
import org.pastalab.fray.core.command.LambdaExecutor;
import org.pastalab.fray.core.command.NetworkDelegateType;
import org.pastalab.fray.core.command.SystemTimeDelegateType;
import org.pastalab.fray.core.observers.TimelineCoverageType;
import org.pastalab.fray.core.randomness.ControlledRandom;
import org.pastalab.fray.core.randomness.RandomnessProvider;
import org.pastalab.fray.core.scheduler.POSScheduler;
import org.pastalab.fray.junit.Common;

/**
 * Runs a concurrency scenario under Fray's controlled scheduler: every thread the scenario and the dispatcher start
 * is run one step at a time, and each iteration explores another interleaving of their synchronization points
 * (locks, conditions, parks, atomics, thread start, join and interrupt), chosen by the POS algorithm (partial order
 * sampling). A failed assertion, an uncaught exception in any thread or a deadlock ends the exploration and fails the
 * test with the number of the iteration that found it.
 *
 * <p>Fray needs its instrumented JDK: the {@code model-check} execution of the Surefire plugin in
 * {@code batcher-core/pom.xml} runs the {@code *ModelCheckTest} classes on it (see docs/concurrency-testing.md).
 * Anywhere else (an IDE, the plain {@code test} execution) these tests are skipped, not run uncontrolled.
 *
 * <p>Iterations per scenario: {@value #ITERATIONS_PROPERTY} (the pom sets it; {@code -Pexplore} raises it).
 *
 * <p>Schedules are drawn from a seeded random source ({@value #SEED_PROPERTY}): the default build explores the same
 * schedules on every machine, so a violation it finds fails every run and can be replayed, never one run in five.
 * {@code -Pexplore} (or {@code -Dmodelcheck.seed=random}) draws a fresh seed to search new schedules; the seed is
 * printed with every result.
 */
public final class ModelCheck {

    /** System property: how many interleavings to explore per scenario. */
    public static final String ITERATIONS_PROPERTY = "batcher.modelcheck.iterations";

    /** System property: stop exploring a scenario after this many seconds, even before all iterations ran. */
    public static final String TIME_LIMIT_PROPERTY = "batcher.modelcheck.seconds";

    /**
     * System property: survey instead of stopping at the first violation. Every iteration runs; the test then fails
     * with each kind of invariant violation and the schedule that first showed it (for the reverted-fix table).
     * Uncaught exceptions and deadlocks still end the exploration.
     */
    public static final String SURVEY_PROPERTY = "batcher.modelcheck.survey";

    /**
     * System property: the seed of the schedules, a number or {@code random}. Each scenario draws its own stream from
     * it (seed and scenario name), so adding a scenario does not change the others' schedules.
     */
    public static final String SEED_PROPERTY = "batcher.modelcheck.seed";

    /** The seed of the default build's schedules. */
    public static final long DEFAULT_SEED = 20_261_129L;

    /** System property: scheduling steps allowed in one iteration before Fray reports a liveness failure. */
    public static final String MAX_STEPS_PROPERTY = "batcher.modelcheck.max-steps";

    private ModelCheck() {
    }

    /**
     * Explores {@code scenario} under Fray.
     *
     * @param name the scenario, for the failure message
     * @param scenario one run of the scenario: starts its threads, joins them and asserts; it must leave no thread
     *     of its own running (Fray reports a thread that can never finish as a deadlock)
     */
    public static void explore(String name, Runnable scenario) {
        Assumptions.assumeTrue(System.getProperty("fray.workDir") != null,
                "Model checks run only on Fray's instrumented JDK: run `mvn verify -pl batcher-core` "
                        + "(the model-check execution of batcher-core's pom)");
        int iterations = Integer.getInteger(ITERATIONS_PROPERTY, 200);
        int seconds = Integer.getInteger(TIME_LIMIT_PROPERTY, 600);
        long seed = seed();
        AtomicReference<Configuration> config = new AtomicReference<>();
        Map<String, Integer> firstSeen = Collections.synchronizedMap(new LinkedHashMap<>());
        boolean survey = Boolean.getBoolean(SURVEY_PROPERTY);
        Runnable run = !survey ? scenario : () -> {
            try {
                scenario.run();
            }
            catch (AssertionError violation) {
                int schedule = config.get().getCurrentIteration() + 1;
                violationsOf(violation).forEach(line -> firstSeen.putIfAbsent(kindOf(line), schedule));
            }
        };
        long start = System.nanoTime();
        Throwable failure;
        try {
            Configuration configuration = configuration(run, iterations, seconds, seed ^ name.hashCode());
            config.set(configuration);
            failure = new TestRunner(configuration).run();
        }
        catch (Throwable ex) {
            failure = ex;
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        // Fray numbers iterations from 0 and stops on the failing one: then n + 1 schedules were explored.
        int current = config.get() != null ? config.get().getCurrentIteration() : 0;
        int schedule = failure != null ? current + 1 : current;
        if (failure instanceof AssertionError && !survey) {
            violationsOf(failure).forEach(line -> firstSeen.putIfAbsent(line, schedule));
        }
        else if (failure != null) {
            firstSeen.put("stopped the exploration: " + kindOf(failure.toString()), schedule);
        }
        if (!firstSeen.isEmpty()) {
            StringBuilder report = new StringBuilder("Scenario '" + name + "' violated its invariant (" + schedule
                    + " of " + iterations + " schedules explored in " + millis + " ms, seed " + seed
                    + "; replay files under "
                    + System.getProperty("fray.workDir") + "):");
            firstSeen.forEach((kind, first) -> report.append("\n  ").append(survey ? "first " : "")
                    .append("on schedule ").append(first).append(": ").append(kind));
            throw new AssertionError(report.toString(), failure);
        }
        System.out.println("Scenario '" + name + "': " + schedule + " of " + iterations + " schedules explored in "
                + millis + " ms (limit " + seconds + " s, seed " + seed + "), no violation");
    }

    /**
     * What {@code FrayInTestLauncher.launchFray} sets up, with a bound on the steps of one iteration: a schedule in
     * which the threads never finish (a livelock, or threads started without end) fails with Fray's
     * {@code LivenessException} instead of running forever.
     */
    private static Configuration configuration(Runnable run, int iterations, int seconds, long scenarioSeed) {
        ExecutionInfo execution = new ExecutionInfo(new LambdaExecutor(() -> {
            run.run();
            return Unit.INSTANCE;
        }), false, false, Integer.getInteger(MAX_STEPS_PROPERTY, 200_000));
        return new Configuration(execution, Common.INSTANCE.getWORK_DIR(), iterations, seconds, new POSScheduler(),
                seeded(scenarioSeed),
                true, // record the full schedule of a failing iteration, for replay
                false, // stop at the first failure
                true, // report a failure as a Throwable instead of exiting the JVM
                false, // not a replay
                false, // run under Fray's control
                false, // no warm-up run
                NetworkDelegateType.PROACTIVE, SystemTimeDelegateType.NONE, 100_000L,
                true, // a timed wait times out only when no other thread can run
                true, // Thread.sleep is a yield
                true, // fresh class loader per iteration
                false, // leave stdout alone
                false, // wait for every thread after the scenario returns
                false, TimelineCoverageType.NONE);
    }

    private static long seed() {
        String value = System.getProperty(SEED_PROPERTY, "").trim();
        if (value.isEmpty()) {
            return DEFAULT_SEED;
        }
        if (value.equalsIgnoreCase("random")) {
            return new Random().nextLong();
        }
        try {
            return Long.parseLong(value);
        }
        catch (NumberFormatException ex) {
            throw new IllegalArgumentException(SEED_PROPERTY + " must be a number or 'random', not '" + value + "'");
        }
    }

    /**
     * Fray's {@code ControlledRandomProvider} with a seed: each iteration's randomness (the POS scheduler's priorities)
     * comes from a {@link Random} seeded from one stream per scenario, instead of an unseeded one.
     */
    private static RandomnessProvider seeded(long scenarioSeed) {
        Random iterations = new Random(scenarioSeed);
        return () -> new ControlledRandom(new ArrayList<>(), new ArrayList<>(), new Random(iterations.nextLong()));
    }

    /** The lines of an {@link OutcomeLedger} verdict, or the whole message of another assertion. */
    private static List<String> violationsOf(Throwable failure) {
        List<String> lines = new ArrayList<>();
        for (String line : String.valueOf(failure.getMessage()).split("\n")) {
            if (line.startsWith("  ")) {
                lines.add(line.strip());
            }
        }
        return lines.isEmpty() ? List.of(String.valueOf(failure.getMessage())) : lines;
    }

    /** A violation without its particulars (item numbers, thread names), to group the same problem. */
    private static String kindOf(String violation) {
        return violation.strip().replaceAll(" \\([^()]*\\)", "").replaceAll("\\d+", "N").replaceAll("\\s+", " ");
    }

    /** Starts a named thread of the scenario. */
    public static Thread fork(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.start();
        return thread;
    }

    /** Joins the scenario's threads. */
    public static void join(Thread... threads) {
        List<Thread> pending = new ArrayList<>(List.of(threads));
        for (Thread thread : pending) {
            try {
                thread.join();
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while joining " + thread.getName(), ex);
            }
        }
    }
}
