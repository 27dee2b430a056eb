package dev.batcher.autoconfigure;

import dev.batcher.dispatch.DispatcherStats;
import dev.batcher.dispatch.InvalidOptionException;
import java.lang.reflect.Method;
import org.springframework.util.ReflectionUtils;

/**
 * The two calls into batcher-core API that the kernel rewrite adds ({@code InvalidOptionException.isDefaultValue()}
 * and {@code DispatcherStats.abandonedSends()}), made by reflection so that this module also compiles and runs
 * against a core without them. Once the core has them, replace each method here by the direct call and delete this
 * class.
 */
final class CoreCompatibility {

    private static final Method IS_DEFAULT_VALUE = ReflectionUtils.findMethod(InvalidOptionException.class,
            "isDefaultValue");

    private static final Method ABANDONED_SENDS = ReflectionUtils.findMethod(DispatcherStats.class,
            "abandonedSends");

    private CoreCompatibility() {
    }

    /**
     * Whether the refused value is the default that nobody set.
     *
     * @param ex the refusal
     * @param fallback the answer when the core cannot tell
     * @return the core's answer, or {@code fallback}
     */
    static boolean isDefaultValue(InvalidOptionException ex, boolean fallback) {
        return (IS_DEFAULT_VALUE != null) ? (Boolean) ReflectionUtils.invokeMethod(IS_DEFAULT_VALUE, ex) : fallback;
    }

    /** Whether the core counts send attempts abandoned after the send timeout. */
    static boolean hasAbandonedSends() {
        return ABANDONED_SENDS != null;
    }

    /**
     * Send attempts abandoned after the send timeout whose thread is still inside the sink.
     *
     * @param stats a snapshot
     * @return the count; 0 when the core does not count them
     */
    static int abandonedSends(DispatcherStats stats) {
        return (ABANDONED_SENDS != null) ? (Integer) ReflectionUtils.invokeMethod(ABANDONED_SENDS, stats) : 0;
    }
}
