package dev.batcher.autoconfigure;

import dev.batcher.coordinate.CoordinatorConfig;
import java.time.Duration;

/**
 * Options of one commit coordinator (nikandfor/batch), {@code batcher.coordinators.<name>.*}. What the configuration
 * does not set keeps the engine's default ({@link CoordinatorConfig}), mirrored here for the IDE metadata. The
 * balancer that picks a coach is not a property: set it with the Coordinators builder's customizer.
 */
public class CoordinatorProperties {

    /**
     * Batches collected and committed in parallel [Multi]; 1 is the plain coordinator (one commit at a time, callers
     * arriving meanwhile wait for the next batch). At most 1024.
     */
    private int coaches = 1;

    /**
     * How long closing the coordinator waits for its open batches to be committed. Unset: batcher.shutdown.timeout.
     * On application shutdown every instance drains within batcher.shutdown.timeout.
     */
    private Duration drainTimeout;

    /** Batches collected and committed in parallel. */
    public int getCoaches() {
        return this.coaches;
    }

    /** Sets the batches collected and committed in parallel. */
    public void setCoaches(int coaches) {
        this.coaches = coaches;
    }

    /** How long closing waits for open batches; {@code null}: batcher.shutdown.timeout. */
    public Duration getDrainTimeout() {
        return this.drainTimeout;
    }

    /** Sets how long closing waits for open batches. */
    public void setDrainTimeout(Duration drainTimeout) {
        this.drainTimeout = drainTimeout;
    }
}
