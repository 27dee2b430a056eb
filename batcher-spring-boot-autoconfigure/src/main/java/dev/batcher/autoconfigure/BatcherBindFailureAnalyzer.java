package dev.batcher.autoconfigure;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;
import org.springframework.core.convert.ConversionFailedException;
import org.springframework.util.unit.DataSize;

/**
 * Reports a value under {@code batcher} that cannot be converted to a duration, a data size or one of the allowed
 * words, and says how to write it ({@code 50ms}, {@code 64KB}, {@code drop-oldest}). Runs before Spring Boot's own
 * analyzer of bind failures, which says only "Update your application's configuration".
 */
class BatcherBindFailureAnalyzer extends AbstractFailureAnalyzer<BindException> implements Ordered {

    private static final ConfigurationPropertyName ROOT = ConfigurationPropertyName.of(BatcherPropertyNames.PREFIX);

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, BindException cause) {
        ConfigurationProperty property = cause.getProperty();
        ConversionFailedException conversion = findCause(cause, ConversionFailedException.class);
        if (property == null || conversion == null || !ROOT.isAncestorOf(property.getName())) {
            return null;
        }
        Class<?> target = conversion.getTargetType().getType();
        String how = howToWrite(target);
        if (how == null) {
            return null;
        }
        String n = System.lineSeparator();
        String description = "Invalid value of '" + property.getName() + "':" + n + n
                + "    Property: " + property.getName() + n
                + "    Value: \"" + property.getValue() + "\"" + n
                + ((property.getOrigin() != null) ? "    Origin: " + property.getOrigin() + n : "")
                + "    Reason: it is not " + article(target) + " (" + rootMessage(cause) + ")";
        return new FailureAnalysis(description, "Update '" + property.getName() + "' in your configuration. " + how,
                cause);
    }

    private static String howToWrite(Class<?> target) {
        if (target == Duration.class) {
            return "Write a duration as a whole number and a unit, without a space: 50ms, 2s, 5m (units ns, us, ms, "
                    + "s, m, h, d), or in ISO-8601 form such as PT0.05S.";
        }
        if (target == DataSize.class) {
            return "Write a data size as a whole number and a unit, without a space: 512B, 64KB, 8MB, 1GB.";
        }
        if (target.isEnum()) {
            return "Use one of: " + Arrays.stream(target.getEnumConstants())
                    .map(constant -> ((Enum<?>) constant).name().toLowerCase(Locale.ROOT).replace('_', '-'))
                    .collect(Collectors.joining(", ")) + ".";
        }
        return null;
    }

    private static String article(Class<?> target) {
        if (target == Duration.class) {
            return "a duration";
        }
        return (target == DataSize.class) ? "a data size" : "one of the allowed values";
    }

    private static String rootMessage(Throwable ex) {
        Throwable root = ex;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage();
    }
}
