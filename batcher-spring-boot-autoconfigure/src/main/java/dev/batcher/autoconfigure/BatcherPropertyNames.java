package dev.batcher.autoconfigure;

import java.beans.PropertyDescriptor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.beans.BeanUtils;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.core.ResolvableType;

/**
 * Every valid key under {@code batcher}, read from the properties classes, and the closest valid key to a wrong one
 * ("did you mean"), for the report of an unknown key.
 */
final class BatcherPropertyNames {

    static final String PREFIX = "batcher";

    /** Stands for a map key (a dispatcher name) in {@link #KEYS}. */
    private static final String ANY = "*";

    /** Keys relative to {@code batcher}, dashed, such as {@code dispatchers.*.buffer.max-items}. */
    static final List<String> KEYS = keys(BatcherProperties.class, "");

    /** Keys of one dispatcher, relative to it, such as {@code buffer.max-items}. */
    static final List<String> DISPATCHER_KEYS = keys(DispatcherProperties.class, "");

    /** Keys of one cost batcher, relative to it, such as {@code flush-interval}. */
    static final List<String> BATCHER_KEYS = keys(CostBatcherProperties.class, "");

    private BatcherPropertyNames() {
    }

    private static List<String> keys(Class<?> type, String prefix) {
        List<String> keys = new ArrayList<>();
        for (PropertyDescriptor descriptor : BeanUtils.getPropertyDescriptors(type)) {
            if (descriptor.getReadMethod() == null || "class".equals(descriptor.getName())) {
                continue;
            }
            String key = prefix + dashed(descriptor.getName());
            if (descriptor.getWriteMethod() != null) {
                keys.add(key);
            }
            else if (Map.class.isAssignableFrom(descriptor.getPropertyType())) {
                Class<?> valueType = ResolvableType.forMethodReturnType(descriptor.getReadMethod()).asMap()
                        .getGeneric(1).resolve(Object.class);
                keys.addAll(keys(valueType, key + "." + ANY + "."));
            }
            else {
                keys.addAll(keys(descriptor.getPropertyType(), key + "."));
            }
        }
        return List.copyOf(keys);
    }

    private static String dashed(String camelCase) {
        return camelCase.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * The valid key closest to an unknown one, keeping the dispatcher name the user wrote.
     *
     * @param unknown a key under {@code batcher} that nothing binds
     * @return the suggestion, such as {@code batcher.dispatchers.words.max-batch-items}, or {@code null} when no
     *     valid key is close
     */
    static String suggest(ConfigurationPropertyName unknown) {
        int elements = unknown.getNumberOfElements();
        StringBuilder written = new StringBuilder();
        for (int i = 1; i < elements; i++) {
            written.append((i > 1) ? "." : "").append(unknown.getElement(i, ConfigurationPropertyName.Form.ORIGINAL));
        }
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String key : KEYS) {
            String[] parts = key.split("\\.");
            StringBuilder candidate = new StringBuilder();
            boolean complete = true;
            for (int i = 0; i < parts.length; i++) {
                String part = parts[i];
                if (part.equals(ANY)) {
                    if (i + 1 >= elements) {
                        complete = false;
                        break;
                    }
                    part = unknown.getElement(i + 1, ConfigurationPropertyName.Form.ORIGINAL);
                }
                candidate.append((i > 0) ? "." : "").append(part);
            }
            if (!complete) {
                continue;
            }
            int distance = distance(uniform(written.toString()), uniform(candidate.toString()));
            if (distance < bestDistance) {
                bestDistance = distance;
                best = PREFIX + "." + candidate;
            }
        }
        int length = uniform(written.toString()).length();
        return (best != null && bestDistance > 0 && bestDistance <= Math.max(2, length / 4)) ? best : null;
    }

    private static String uniform(String key) {
        return key.toLowerCase(java.util.Locale.ROOT).replace("-", "").replace("_", "");
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + ((a.charAt(i - 1) == b.charAt(j - 1)) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    /**
     * The valid keys, for the report: {@code batcher.defaults.<key>}, {@code batcher.dispatchers.<name>.<key>},
     * {@code batcher.batchers.<name>.<key>}.
     */
    static String describeValidKeys() {
        List<String> others = KEYS.stream()
                .filter(key -> !key.startsWith("defaults.") && !key.startsWith("dispatchers.")
                        && !key.startsWith("batchers.") && !key.startsWith("batcher-defaults."))
                .map(key -> PREFIX + "." + key)
                .toList();
        return "batcher.defaults.<key> and batcher.dispatchers.<name>.<key>, where <key> is one of "
                + String.join(", ", DISPATCHER_KEYS) + "; batcher.batcher-defaults.<key> and "
                + "batcher.batchers.<name>.<key>, where <key> is one of "
                + String.join(", ", BATCHER_KEYS) + "; and " + String.join(", ", others);
    }
}
