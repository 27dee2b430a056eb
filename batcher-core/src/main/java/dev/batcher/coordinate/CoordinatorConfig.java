package dev.batcher.coordinate;

import dev.batcher.InvalidOptionException;
import java.time.Duration;

/**
 * Immutable options of a {@link Coordinator}, validated on creation. Option names in errors are the property keys the
 * Spring Boot starter binds under {@code batcher.coordinators.<name>.}.
 *
 * @param coaches {@code coaches}: batches collected and committed in parallel (nikandfor's {@code Multi}); 1 is the
 *     plain Coordinator
 * @param balancer which coach a caller enters when there are several (not a property: code only)
 * @param drainTimeout {@code drain-timeout}: how long {@link Coordinator#close()} waits for the running batches
 */
public record CoordinatorConfig(int coaches, Balancer balancer, Duration drainTimeout) {

    /** Default {@code coaches}: one coach, nikandfor's {@code Coordinator}. */
    public static final int DEFAULT_COACHES = 1;

    /** Most {@code coaches} allowed. */
    public static final int MAX_COACHES = 1024;

    /** Default {@code drain-timeout}. */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);

    /** Validates the options. */
    public CoordinatorConfig {
        if (coaches < 1 || coaches > MAX_COACHES) {
            throw new InvalidOptionException("coaches", coaches, "must be between 1 and " + MAX_COACHES
                    + ": the number of batches committed in parallel (1 for a plain coordinator)");
        }
        if (balancer == null) {
            throw new InvalidOptionException("balancer", null, "must be set; Balancer.firstFree() is the default");
        }
        if (drainTimeout == null || drainTimeout.isNegative()) {
            throw new InvalidOptionException("drain-timeout", drainTimeout,
                    "must be zero or positive, for example 30s");
        }
    }

    /** The options with every default: one coach, first-free balancer, a 30 s drain. */
    public static CoordinatorConfig defaults() {
        return builder().build();
    }

    /** A builder with every option at its default. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder starting from the options of {@code base}.
     *
     * @param base the options to copy
     * @return a new builder
     */
    public static Builder from(CoordinatorConfig base) {
        return new Builder().coaches(base.coaches).balancer(base.balancer).drainTimeout(base.drainTimeout);
    }

    /** Builds a {@link CoordinatorConfig}; {@link #build()} validates. */
    public static final class Builder {

        private int coaches = DEFAULT_COACHES;
        private Balancer balancer = Balancer.firstFree();
        private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;

        private Builder() {
        }

        /** See {@link CoordinatorConfig#coaches()}. Default 1. */
        public Builder coaches(int coaches) {
            this.coaches = coaches;
            return this;
        }

        /** See {@link CoordinatorConfig#balancer()}. Default {@link Balancer#firstFree()}. */
        public Builder balancer(Balancer balancer) {
            this.balancer = balancer;
            return this;
        }

        /** See {@link CoordinatorConfig#drainTimeout()}. Default 30 s. */
        public Builder drainTimeout(Duration drainTimeout) {
            this.drainTimeout = drainTimeout;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @return the options
         * @throws InvalidOptionException naming the property key of the first invalid option
         */
        public CoordinatorConfig build() {
            return new CoordinatorConfig(coaches, balancer, drainTimeout);
        }
    }
}
