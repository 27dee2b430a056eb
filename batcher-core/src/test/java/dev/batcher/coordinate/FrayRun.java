package dev.batcher.coordinate;

import kotlin.Unit;
import org.junit.jupiter.api.Assumptions;
import org.pastalab.fray.core.TestRunner;
import org.pastalab.fray.core.command.Configuration;
import org.pastalab.fray.core.command.ExecutionInfo;
import org.pastalab.fray.core.command.LambdaExecutor;
import org.pastalab.fray.core.command.NetworkDelegateType;
import org.pastalab.fray.core.command.SystemTimeDelegateType;
import org.pastalab.fray.core.observers.TimelineCoverageType;
import org.pastalab.fray.core.randomness.ControlledRandomProvider;
import org.pastalab.fray.core.scheduler.POSScheduler;
import org.pastalab.fray.junit.Common;

/**
 * Runs a Coordinator scenario under Fray, the way {@code dev.batcher.dispatch.ModelCheck} runs the dispatcher's (same
 * system properties, same Fray settings; that harness is package-private to the dispatcher's tests, and its ledger and
 * clock are the dispatcher's). Skipped outside the {@code model-check} execution of batcher-core's pom.
 */
final class FrayRun {

    private FrayRun() {
    }

    static void explore(String name, Runnable scenario) {
        Assumptions.assumeTrue(System.getProperty("fray.workDir") != null,
                "Model checks run only on Fray's instrumented JDK: run `mvn verify -pl batcher-core`");
        int iterations = Integer.getInteger("batcher.modelcheck.iterations", 200);
        int seconds = Integer.getInteger("batcher.modelcheck.seconds", 600);
        ExecutionInfo execution = new ExecutionInfo(new LambdaExecutor(() -> {
            scenario.run();
            return Unit.INSTANCE;
        }), false, false, Integer.getInteger("batcher.modelcheck.max-steps", 200_000));
        Configuration configuration = new Configuration(execution, Common.INSTANCE.getWORK_DIR(), iterations, seconds,
                new POSScheduler(), new ControlledRandomProvider(), true, false, true, false, false, false,
                NetworkDelegateType.PROACTIVE, SystemTimeDelegateType.NONE, 100_000L, true, true, true, false, false,
                false, TimelineCoverageType.NONE);
        long start = System.nanoTime();
        Throwable failure = new TestRunner(configuration).run();
        long millis = (System.nanoTime() - start) / 1_000_000;
        int schedules = configuration.getCurrentIteration() + (failure != null ? 1 : 0);
        if (failure != null) {
            throw new AssertionError("Scenario '" + name + "' failed on schedule " + schedules + " of " + iterations
                    + " (" + millis + " ms; replay files under " + System.getProperty("fray.workDir") + "): "
                    + failure, failure);
        }
        System.out.println("Scenario '" + name + "': " + schedules + " of " + iterations + " schedules explored in "
                + millis + " ms, no violation");
    }

    static Thread fork(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.start();
        return thread;
    }

    static void join(Thread... threads) {
        for (Thread thread : threads) {
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
