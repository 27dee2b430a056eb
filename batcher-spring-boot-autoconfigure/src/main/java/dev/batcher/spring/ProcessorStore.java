package dev.batcher.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Makes a {@link dev.batcher.resource.ResourceStore ResourceStore<K, R>} bean the store of the resource processor
 * (elgopher/batch) with the given name; put it on the store's class or on its {@code @Bean} method. A store bean
 * named like the processor needs no annotation.
 *
 * <pre>{@code
 * @Bean
 * @ProcessorStore("accounts")
 * ResourceStore<Long, Account> accountStore(JdbcClient jdbc) {
 *     return new AccountStore(jdbc);
 * }
 *
 * @RestController
 * class Transfers {
 *     Transfers(ResourceProcessor<Long, Account> accounts) { ... }   // or @Qualifier("accounts")
 * }
 * }</pre>
 *
 * <p>For each name the auto-configuration registers a {@link dev.batcher.resource.ResourceProcessor
 * ResourceProcessor<K, R>} bean, typed by the store's generics and qualified with the name (bean name
 * {@code dev.batcher.resource.ResourceProcessor#<name>}), configured from {@code batcher.processors.<name>.*} (a store
 * without properties runs with {@code batcher.processor-defaults}). A configured processor without a store, or two
 * stores for one name, fails startup with a message naming the property, the beans and the fix.
 */
@Target({ ElementType.TYPE, ElementType.METHOD })
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface ProcessorStore {

    /**
     * The processor name: the key under {@code batcher.processors}.
     *
     * @return the name
     */
    String value();
}
