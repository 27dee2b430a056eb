package dev.batcher.resource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory {@link ResourceStore} of {@link Account}s that records what it was asked, and can be made to fail or
 * to take its time. Load returns a copy of the stored account (a fresh one for an unknown key); save stores a copy.
 */
final class TestStore implements ResourceStore<String, TestStore.Account> {

    /** A mutable resource; not thread-safe on purpose (the processor runs operations one at a time). */
    static final class Account {
        long balance;
        final List<String> log = new ArrayList<>();

        Account copy() {
            Account a = new Account();
            a.balance = balance;
            a.log.addAll(log);
            return a;
        }
    }

    /** A step of the store a test can hook into. */
    interface Hook {
        void run(String key, Instant deadline) throws Exception;
    }

    final Map<String, Account> stored = new ConcurrentHashMap<>();
    final AtomicInteger loads = new AtomicInteger();
    final AtomicInteger saves = new AtomicInteger();
    final List<Instant> deadlines = new CopyOnWriteArrayList<>();
    final List<Account> loaded = new CopyOnWriteArrayList<>();
    /** Batches of a key inside the store at once, at most (load to save). */
    final AtomicInteger maxBusyPerKey = new AtomicInteger();
    private final Map<String, AtomicInteger> busy = new ConcurrentHashMap<>();
    volatile Hook beforeLoad = (key, deadline) -> { };
    volatile Hook beforeSave = (key, deadline) -> { };

    @Override
    public Account load(String key, Instant deadline) throws Exception {
        loads.incrementAndGet();
        deadlines.add(deadline);
        int now = busy.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        maxBusyPerKey.accumulateAndGet(now, Math::max);
        try {
            beforeLoad.run(key, deadline);
        }
        catch (Exception ex) {
            busy.get(key).decrementAndGet();
            throw ex;
        }
        Account account = stored.containsKey(key) ? stored.get(key).copy() : new Account();
        loaded.add(account);
        return account;
    }

    @Override
    public void save(String key, Account resource, Instant deadline) throws Exception {
        try {
            beforeSave.run(key, deadline);
            saves.incrementAndGet();
            stored.put(key, resource.copy());
        }
        finally {
            busy.get(key).decrementAndGet();
        }
    }

    long balance(String key) {
        Account a = stored.get(key);
        return a == null ? 0 : a.balance;
    }
}
