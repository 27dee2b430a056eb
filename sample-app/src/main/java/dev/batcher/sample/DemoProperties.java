package dev.batcher.sample;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the built-in demo load ({@link DemoLoad}), bound from {@code demo.*}.
 *
 * @param events how many events the demo pushes through dispatcher {@code events} at startup; 0 turns the demo off
 * @param producers how many threads submit them (and insert the one-by-one comparison rows)
 * @param oneByOneSample at most this many events are also inserted one row per {@code INSERT} for comparison; when
 *     it is smaller than {@code events} the one-by-one time for all events is extrapolated (and labelled so); 0 skips
 *     the comparison
 * @param timeout how long the demo waits for its events to be stored before giving up
 */
@ConfigurationProperties("demo")
public record DemoProperties(
        @DefaultValue("200000") int events,
        @DefaultValue("4") int producers,
        @DefaultValue("20000") int oneByOneSample,
        @DefaultValue("5m") Duration timeout) {

    /** Checks the values, naming the property that is wrong. */
    public DemoProperties {
        if (events < 0) {
            throw new IllegalArgumentException("demo.events must be 0 (off) or more, got " + events);
        }
        if (producers < 1) {
            throw new IllegalArgumentException("demo.producers must be at least 1, got " + producers);
        }
        if (oneByOneSample < 0) {
            throw new IllegalArgumentException("demo.one-by-one-sample must be 0 (skip) or more, got " + oneByOneSample);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("demo.timeout must be positive, got " + timeout);
        }
    }
}
