package dev.batcher.autoconfigure;

import dev.batcher.BatchingEngine;
import dev.batcher.spring.BatcherRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.health.contributor.Health;

/**
 * One engine instance as the registry, the {@code batchers} endpoint, health and the lifecycle see it, whatever its
 * kind: each kind (dispatcher, cost batcher, resource processor, coordinator, task queue) has one implementation, so
 * that a new kind plugs in by registering views with {@link DefaultBatcherRegistry#registerEngine} and nothing else
 * changes.
 */
interface EngineView {

    /** The engine. */
    BatchingEngine engine();

    /** Its kind, the {@code kind} tag of its meters: {@code dispatcher}, {@code batcher}, {@code processor}... */
    String kind();

    /** What the endpoint shows of it now. */
    BatchersEndpoint.BatcherDescriptor describe();

    /**
     * Its health now.
     *
     * @param thresholds {@code batcher.health.*}
     * @return UP, or DOWN with a {@code problem} detail
     */
    Health health(BatcherProperties.Health thresholds);

    /** Called once when the application starts (before the web server takes traffic). */
    default void start() {
    }

    /** Called once after it closed: unbind meters, log what it did. */
    default void closed() {
    }

    /**
     * The endpoint's write operation on it: {@code flush}, {@code pause} or {@code resume}.
     *
     * @param action the action
     * @throws InvalidEndpointRequestException for another action
     * @throws IllegalStateException for a pause while it closes (the engine refuses it)
     */
    default void control(String action) {
        BatchingEngine engine = engine();
        switch ((action != null) ? action.toLowerCase(Locale.ROOT) : "") {
            case "flush" -> engine.flush();
            case "pause" -> engine.pause();
            case "resume" -> engine.resume();
            default -> throw new InvalidEndpointRequestException("Unknown action '" + action
                    + "'; use flush, pause or resume", "Unknown action; use flush, pause or resume");
        }
    }

    /**
     * Every instance of a registry as views: the starter's registry knows every kind; a registry the application
     * provided itself shows its dispatchers and batchers.
     *
     * @param registry the registry
     * @return the views, dispatchers first, each kind in registration order
     */
    static List<EngineView> all(BatcherRegistry registry) {
        if (registry instanceof DefaultBatcherRegistry starter) {
            return starter.views();
        }
        List<EngineView> views = new ArrayList<>();
        registry.dispatchers().forEach(dispatcher -> views.add(new DispatcherView(dispatcher)));
        registry.batchers().forEach(batcher -> views.add(new CostBatcherView(batcher,
                new BatcherObserver(Clock.systemUTC()), List::of)));
        return views;
    }

    /**
     * One instance of a registry as a view.
     *
     * @param registry the registry
     * @param name the instance name
     * @return its view, or empty when unknown
     */
    static Optional<EngineView> find(BatcherRegistry registry, String name) {
        if (registry instanceof DefaultBatcherRegistry starter) {
            return starter.view(name);
        }
        return all(registry).stream().filter(view -> view.engine().name().equals(name)).findFirst();
    }

    /**
     * {@code state} of a health or descriptor: {@code CLOSED}, {@code PAUSED} or {@code RUNNING}.
     *
     * @param closed whether it is closed
     * @param paused whether it is paused
     * @return the state
     */
    static String state(boolean closed, boolean paused) {
        return closed ? "CLOSED" : paused ? "PAUSED" : "RUNNING";
    }
}
