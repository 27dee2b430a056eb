package dev.batcher.sample;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the downstream part of the demo ({@link DownstreamDemo}), bound from {@code demo.downstream.*}.
 *
 * @param operations how many writes the demo sends to the downstream API each way; 0 skips this part
 * @param maxCost the writes cost 1, 2, ... up to this many units, in turn
 */
@ConfigurationProperties("demo.downstream")
public record DownstreamDemoProperties(@DefaultValue("250") int operations, @DefaultValue("10") int maxCost) {

    /** Checks the values, naming the property that is wrong. */
    public DownstreamDemoProperties {
        if (operations < 0) {
            throw new IllegalArgumentException("demo.downstream.operations must be 0 (skip) or more, got " + operations);
        }
        if (maxCost < 1) {
            throw new IllegalArgumentException("demo.downstream.max-cost must be at least 1, got " + maxCost);
        }
    }
}
