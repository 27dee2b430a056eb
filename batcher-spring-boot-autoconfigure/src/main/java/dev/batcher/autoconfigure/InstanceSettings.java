package dev.batcher.autoconfigure;

import org.springframework.boot.context.properties.source.ConfigurationProperty;

/**
 * The configured options of one named instance of a kind bound through {@link ConfiguredOptions} (cost batchers,
 * resource processors, coordinators), as {@link InvalidBatcherPropertyException} reports a refused one.
 */
interface InstanceSettings {

    /** The kind, as errors name it: {@code batcher}, {@code processor}, {@code coordinator}. */
    String kind();

    /** The instance name. */
    String name();

    /** The prefix of the named instances, such as {@code batcher.batchers}. */
    String instancesPrefix();

    /** The prefix of the shared defaults, such as {@code batcher.batcher-defaults}. */
    String defaultsPrefix();

    /** The bean that builds instances of this kind in code, such as {@code CostBatchers}. */
    String builderName();

    /**
     * The property that set an option.
     *
     * @param option the key relative to the instance
     * @return the property, or {@code null} when the configuration does not set it
     */
    ConfigurationProperty configured(String option);

    /** Whether an option not set was passed to the builder with its default, as it shares a setter with one set. */
    default boolean isPassedAsDefault(String option) {
        return false;
    }
}
