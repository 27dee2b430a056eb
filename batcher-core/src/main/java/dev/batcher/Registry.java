package dev.batcher;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * Named engine instances with shared configurations, like resilience4j's registries: a {@code default}
 * configuration every instance starts from, more named configurations to start from instead ({@code base-config}),
 * one instance per name, and one call that drains them all in parallel. The Spring starter binds
 * {@code batcher.defaults.*} to the default configuration.
 *
 * <pre>{@code
 * Registry<DispatcherConfig<Event>, Dispatcher<Event>> dispatchers =
 *         Registry.withDefaults(DispatcherConfig.<Event>builder().maxBatchItems(500).build());
 * Dispatcher<Event> events = dispatchers.instance("events", (name, config) -> Dispatcher.create(name, config, sink));
 * dispatchers.closeAll(Duration.ofSeconds(30));
 * }</pre>
 *
 * @param <C> the configuration type
 * @param <E> the engine type
 */
public final class Registry<C, E extends BatchingEngine> {

    /** The name of the configuration every instance starts from unless told otherwise. */
    public static final String DEFAULT = "default";

    private final Map<String, C> configurations = new ConcurrentHashMap<>();
    private final Map<String, E> instances = new ConcurrentHashMap<>();

    private Registry(C defaults) {
        configurations.put(DEFAULT, Objects.requireNonNull(defaults, "defaults"));
    }

    /**
     * Creates a registry.
     *
     * @param defaults the {@code default} configuration
     * @param <C> the configuration type
     * @param <E> the engine type
     * @return an empty registry
     */
    public static <C, E extends BatchingEngine> Registry<C, E> withDefaults(C defaults) {
        return new Registry<>(defaults);
    }

    /**
     * Adds a named configuration that instances can start from instead of the default.
     *
     * @param name its name, not {@code default}
     * @param configuration the configuration
     * @return this registry
     * @throws IllegalArgumentException for a blank name, {@code default}, or a name already taken
     */
    public Registry<C, E> addConfiguration(String name, C configuration) {
        if (name == null || name.isBlank() || DEFAULT.equals(name)) {
            throw new IllegalArgumentException("A named configuration needs a name other than '" + DEFAULT
                    + "' (was '" + name + "'); the default is given when the registry is created");
        }
        if (configurations.putIfAbsent(name, Objects.requireNonNull(configuration, "configuration")) != null) {
            throw new IllegalArgumentException("A configuration named '" + name + "' is already registered");
        }
        return this;
    }

    /**
     * A configuration by name.
     *
     * @param name a name given to {@link #addConfiguration}, or {@link #DEFAULT}
     * @return the configuration
     * @throws IllegalArgumentException naming the known configurations when there is none of that name
     */
    public C configuration(String name) {
        C configuration = configurations.get(name);
        if (configuration == null) {
            throw new IllegalArgumentException("No configuration named '" + name + "'; known: "
                    + configurations.keySet());
        }
        return configuration;
    }

    /**
     * The instance of that name, created from the default configuration the first time.
     *
     * @param name the instance name
     * @param create makes the instance from its name and configuration; called at most once per name
     * @return the instance
     */
    public E instance(String name, BiFunction<String, C, E> create) {
        return instance(name, DEFAULT, create);
    }

    /**
     * The instance of that name, created from the named configuration the first time.
     *
     * @param name the instance name
     * @param configurationName the configuration to start from
     * @param create makes the instance from its name and configuration; called at most once per name
     * @return the instance
     */
    public E instance(String name, String configurationName, BiFunction<String, C, E> create) {
        C configuration = configuration(configurationName);
        return instances.computeIfAbsent(name, key -> Objects.requireNonNull(create.apply(key, configuration),
                "the factory returned null for '" + key + "'"));
    }

    /** The instance of that name, if it was created. */
    public Optional<E> find(String name) {
        return Optional.ofNullable(instances.get(name));
    }

    /** Every instance created so far. */
    public Collection<E> all() {
        return List.copyOf(instances.values());
    }

    /**
     * Drains every instance in parallel, each within {@code timeout}.
     *
     * @param timeout the drain timeout of each instance
     * @return {@code true} if every one drained in time
     */
    public boolean closeAll(Duration timeout) {
        List<CompletableFuture<Boolean>> closing = new ArrayList<>();
        for (E engine : instances.values()) {
            closing.add(CompletableFuture.supplyAsync(() -> engine.close(timeout), runnable -> {
                Thread thread = new Thread(runnable, "batcher-close-" + engine.name());
                thread.setDaemon(true);
                thread.start();
            }));
        }
        boolean all = true;
        for (CompletableFuture<Boolean> result : closing) {
            all &= result.join();
        }
        return all;
    }
}
