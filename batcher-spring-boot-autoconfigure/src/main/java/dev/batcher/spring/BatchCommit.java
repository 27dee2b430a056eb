package dev.batcher.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Makes a bean method the commit of the coordinator (nikandfor/batch) with the given name: callers contribute to a
 * shared state of type {@code S} and this method commits it once for all of them, who all get its result.
 *
 * <p>The method takes the state, {@code R commit(S state)}, or the state and the coach,
 * {@code R commit(S state, int coach)}; a {@code void} method gives every contributor {@code null}. Each batch starts
 * with a fresh state made from {@code S}: an {@code ArrayList} for a {@code List}, a {@code LinkedHashSet} for a
 * {@code Set}, a {@code LinkedHashMap} for a {@code Map}, or a new instance of a class with a public no-arg
 * constructor. For any other state, build the coordinator with the {@link Coordinators} bean and a supplier.
 *
 * <pre>{@code
 * @Component
 * class AuditLog {
 *
 *     @BatchCommit("audit")
 *     int insert(List<AuditRecord> records) {       // one multi-row INSERT per batch
 *         return jdbc.insertAll(records);
 *     }
 * }
 *
 * // elsewhere: Coordinator<List<AuditRecord>, Integer> audit (or @Qualifier("audit"))
 * audit.contribute((records, round) -> records.add(record));
 * }</pre>
 *
 * <p>For each name the auto-configuration registers a {@link dev.batcher.coordinate.Coordinator
 * Coordinator<S, R>} bean typed by the method's parameter and return types and qualified with the name (bean name
 * {@code dev.batcher.coordinate.Coordinator#<name>}), configured from {@code batcher.coordinators.<name>.*}. A wrong
 * signature, two commits for one name, or a configured coordinator without a commit fails startup with a message
 * naming the bean, the method and the fix.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface BatchCommit {

    /**
     * The coordinator name: the key under {@code batcher.coordinators}.
     *
     * @return the name
     */
    String value();
}
