package dev.batcher.autoconfigure;

import dev.batcher.resource.ResourceStore;
import dev.batcher.spring.BatchCommit;
import dev.batcher.spring.ProcessorStore;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Stores, commits and configurations shared by the tests of resource processors and coordinators. */
final class TestEngines {

    private TestEngines() {
    }

    /** A resource: an account balance, changed by the operations of a batch. */
    static final class Account {

        long balance;

        Account(long balance) {
            this.balance = balance;
        }
    }

    /** Balances in a map, counting loads and saves; saves fail while {@link #failSaves} is set. */
    static class AccountStore implements ResourceStore<String, Account> {

        final Map<String, Long> balances = new ConcurrentHashMap<>();

        final AtomicInteger loads = new AtomicInteger();

        final AtomicInteger saves = new AtomicInteger();

        volatile boolean failSaves;

        @Override
        public Account load(String key, Instant deadline) {
            this.loads.incrementAndGet();
            return new Account(this.balances.getOrDefault(key, 0L));
        }

        @Override
        public void save(String key, Account account, Instant deadline) {
            if (this.failSaves) {
                throw new IllegalStateException("disk full");
            }
            this.saves.incrementAndGet();
            this.balances.put(key, account.balance);
        }
    }

    /** The store of processor {@code ledger}, by annotation on its {@code @Bean} method. */
    @Configuration(proxyBeanMethods = false)
    static class LedgerStoreConfiguration {

        @Bean
        @ProcessorStore("ledger")
        AccountStore ledgerStore() {
            return new AccountStore();
        }
    }

    /** A store bean named like processor {@code accounts}, declared by its interface type. */
    @Configuration(proxyBeanMethods = false)
    static class NamedStoreConfiguration {

        @Bean
        ResourceStore<String, Account> accounts() {
            return new AccountStore();
        }
    }

    /** A second store for {@code accounts}, by annotation on its class. */
    @ProcessorStore("accounts")
    static class OtherAccountStore extends AccountStore {
    }

    /** The commit of coordinator {@code audit}: stores each batch's records, failing while {@link #fail} is set. */
    static class AuditLog {

        final List<List<String>> commits = new CopyOnWriteArrayList<>();

        volatile boolean fail;

        @BatchCommit("audit")
        int insert(List<String> records) {
            if (this.fail) {
                throw new IllegalStateException("audit table locked");
            }
            this.commits.add(List.copyOf(records));
            return records.size();
        }

        /** Every record committed, in commit order. */
        List<String> rows() {
            return this.commits.stream().flatMap(List::stream).toList();
        }
    }
}
