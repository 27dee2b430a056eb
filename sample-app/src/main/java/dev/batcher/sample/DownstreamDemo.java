package dev.batcher.sample;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * The second part of the demo, after {@link DemoLoad}: sends {@code demo.downstream.operations} writes to the
 * downstream API ({@code POST /downstream/write}, {@code sample.downstream.capacity-per-second} units per second, 429
 * beyond) first through cost batcher {@code downstream}, then directly, one request per write from
 * {@code demo.producers} threads, and prints for both the requests made, the 429s received, the writes done and the
 * time. Off with {@code demo.events=0} (the whole demo) or {@code demo.downstream.operations=0}, and skipped without a
 * web server.
 */
@Component
@Order(2)
public class DownstreamDemo implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(DownstreamDemo.class);

    private final DownstreamComparison comparison;

    private final DownstreamApi api;

    private final DemoProperties demo;

    private final DownstreamDemoProperties properties;

    private final Environment environment;

    private final PrintStream out = System.out;

    /**
     * Creates the demo.
     *
     * @param comparison sends the writes both ways
     * @param api the downstream API, for its limit
     * @param demo the {@code demo.*} settings (on/off, threads, timeout)
     * @param properties the {@code demo.downstream.*} settings
     * @param environment for the port the app serves on (without a web server this part is skipped)
     */
    public DownstreamDemo(DownstreamComparison comparison, DownstreamApi api, DemoProperties demo,
            DownstreamDemoProperties properties, Environment environment) {
        this.environment = environment;
        this.comparison = comparison;
        this.api = api;
        this.demo = demo;
        this.properties = properties;
    }

    @Override
    public void run(ApplicationArguments args) throws InterruptedException {
        if (demo.events() == 0 || properties.operations() == 0) {
            log.info("Downstream demo is off (demo.events=0 or demo.downstream.operations=0)");
            return;
        }
        if (environment.getProperty("local.server.port") == null) {
            log.info("Downstream demo skipped: it calls POST /downstream/write over HTTP, and no web server runs");
            return;
        }
        List<DownstreamWrite> writes = DownstreamComparison.writes(properties.operations(), properties.maxCost());
        long cost = writes.stream().mapToLong(DownstreamWrite::cost).sum();
        out.printf(Locale.ROOT, "%nDownstream demo: %,d writes costing 1-%d units (%,d units in all) -> POST "
                        + "/downstream/write,%n  which allows %,d units/s (sample.downstream.capacity-per-second) and "
                        + "answers 429 beyond%n", writes.size(), properties.maxCost(), cost, api.capacityPerSecond());
        DownstreamComparison.Run batched;
        try {
            batched = comparison.throughBatcher(writes, demo.timeout());
        }
        catch (TimeoutException e) {
            out.printf(Locale.ROOT, "Downstream demo gave up after demo.timeout=%s; see /actuator/batchers/downstream%n",
                    demo.timeout());
            return;
        }
        print(String.format(Locale.ROOT, "Through batcher '%s' (capacity %,d units/s):", comparison.batcher().name(),
                comparison.batcher().stats().grantedCapacity()), batched);
        DownstreamComparison.Run direct = comparison.direct(writes, demo.producers());
        print(String.format(Locale.ROOT, "Direct, one request per write (%d threads):", demo.producers()), direct);
        out.println();
    }

    private void print(String label, DownstreamComparison.Run run) {
        out.printf(Locale.ROOT, "  %-50s %,6d requests, %,6d answered 429, %,6d of %,d writes done, %6.2f s%n", label,
                run.requests(), run.throttled(), run.done(), run.operations(), run.nanos() / 1e9);
    }
}
