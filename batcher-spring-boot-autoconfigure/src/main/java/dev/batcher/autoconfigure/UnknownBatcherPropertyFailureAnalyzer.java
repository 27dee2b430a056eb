package dev.batcher.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.bind.UnboundConfigurationPropertiesException;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;

/**
 * Reports keys under {@code batcher} that no property binds (a misspelled {@code max-batch-itmes}, or
 * {@code batcher.dispatcher.words.*} without the s), each with the closest valid key. Runs before Spring Boot's own
 * analyzer of unbound properties, which names the key but suggests nothing.
 */
class UnknownBatcherPropertyFailureAnalyzer extends AbstractFailureAnalyzer<UnboundConfigurationPropertiesException>
        implements Ordered {

    private static final ConfigurationPropertyName ROOT = ConfigurationPropertyName.of(BatcherPropertyNames.PREFIX);

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, UnboundConfigurationPropertiesException cause) {
        List<ConfigurationProperty> unknown = cause.getUnboundProperties().stream()
                .filter(property -> ROOT.isAncestorOf(property.getName()))
                .toList();
        if (unknown.isEmpty()) {
            return null;
        }
        String n = System.lineSeparator();
        StringBuilder description = new StringBuilder("Unknown configuration " + (unknown.size() == 1 ? "key" : "keys")
                + " under 'batcher':" + n);
        List<String> actions = new ArrayList<>();
        for (ConfigurationProperty property : unknown) {
            String suggestion = BatcherPropertyNames.suggest(property.getName());
            description.append(n).append("    Property: ").append(property.getName())
                    .append(n).append("    Value: \"").append(property.getValue()).append('"');
            if (property.getOrigin() != null) {
                description.append(n).append("    Origin: ").append(property.getOrigin());
            }
            description.append(n).append("    Reason: no such key")
                    .append((suggestion != null) ? "; did you mean '" + suggestion + "'?" : "").append(n);
            actions.add((suggestion != null) ? "Rename '" + property.getName() + "' to '" + suggestion + "'."
                    : "Remove or correct '" + property.getName() + "'.");
        }
        String action = String.join(n, actions) + n + n + "Valid keys: " + BatcherPropertyNames.describeValidKeys()
                + ".";
        return new FailureAnalysis(description.toString().stripTrailing(), action, cause);
    }
}
