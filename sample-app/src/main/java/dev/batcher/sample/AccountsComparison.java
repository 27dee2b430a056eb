package dev.batcher.sample;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.springframework.stereotype.Component;

/**
 * Runs the same account transactions and audit records two ways and measures both: batched (resource processor
 * {@code accounts}, coordinator {@code audit}) and one at a time (a locking database transaction per transaction, an
 * INSERT per audit record).
 */
@Component
public class AccountsComparison {

    private final Accounts accounts;

    private final AccountStore store;

    private final AuditLog auditLog;

    /**
     * Creates the comparison.
     *
     * @param accounts the two ways
     * @param store the balances, for their statement count
     * @param auditLog the audit table, for its statement count
     */
    public AccountsComparison(Accounts accounts, AccountStore store, AuditLog auditLog) {
        this.accounts = accounts;
        this.store = store;
        this.auditLog = auditLog;
    }

    /**
     * What one way did.
     *
     * @param operations transactions (or audit records) asked for
     * @param refused transactions refused as overdrafts
     * @param statements SQL statements run
     * @param nanos how long it took
     */
    public record Run(int operations, long refused, long statements, long nanos) {

        /** Operations per second. */
        public double perSecond() {
            return operations / (nanos / 1e9);
        }
    }

    /** Amount of transaction {@code i}: deposits of 1 to 9, every fifth a withdrawal of 20 (some overdraw). */
    static long amount(int i) {
        return (i % 5 == 4) ? -20 : 1 + i % 9;
    }

    /**
     * Applies {@code count} transactions over {@code accountCount} accounts from {@code firstAccount} through the
     * processor, submitted from {@code threads} threads without waiting (as many concurrent requests would).
     */
    public Run batched(long firstAccount, int accountCount, int count, int threads) throws InterruptedException {
        long statementsBefore = store.statements();
        List<CompletableFuture<Long>> results = new ArrayList<>(count);
        long start = System.nanoTime();
        inParallel(count, threads, i -> {
            CompletableFuture<Long> result = accounts.transactAsync(firstAccount + i % accountCount, amount(i));
            synchronized (results) {
                results.add(result);
            }
        });
        long refused = 0;
        for (CompletableFuture<Long> result : results) {
            try {
                result.join();
            }
            catch (CompletionException ex) {
                if (!(ex.getCause() instanceof OverdraftException)) {
                    throw ex;
                }
                refused++;
            }
        }
        return new Run(count, refused, store.statements() - statementsBefore, System.nanoTime() - start);
    }

    /** The same transactions one at a time, each in its own locking database transaction, from {@code threads}. */
    public Run oneByOne(long firstAccount, int accountCount, int count, int threads) throws InterruptedException {
        accounts.openAccounts(firstAccount, accountCount);
        long statementsBefore = accounts.oneByOneStatements();
        LongAdder refused = new LongAdder();
        long start = System.nanoTime();
        inParallel(count, threads, i -> {
            try {
                accounts.transactOneByOne(firstAccount + i % accountCount, amount(i));
            }
            catch (OverdraftException ex) {
                refused.increment();
            }
        });
        return new Run(count, refused.sum(), accounts.oneByOneStatements() - statementsBefore,
                System.nanoTime() - start);
    }

    /** {@code count} audit records contributed to coordinator {@code audit} from {@code threads} waiting threads. */
    public Run auditBatched(long account, int count, int threads) throws InterruptedException {
        long before = auditLog.statements();
        long start = System.nanoTime();
        inParallel(count, threads, i -> accounts.audit(account, amount(i), "applied"));
        return new Run(count, 0, auditLog.statements() - before, System.nanoTime() - start);
    }

    /** The same records with an INSERT each, from {@code threads} threads. */
    public Run auditOneByOne(long account, int count, int threads) throws InterruptedException {
        long before = auditLog.statements();
        long start = System.nanoTime();
        inParallel(count, threads, i -> accounts.auditOneByOne(account, amount(i), "applied"));
        return new Run(count, 0, auditLog.statements() - before, System.nanoTime() - start);
    }

    private static void inParallel(int count, int threads, IntTask task) throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger names = new AtomicInteger();
        ExecutorService workers = Executors.newFixedThreadPool(threads, runnable -> {
            Thread thread = new Thread(runnable, "demo-accounts-" + names.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<Future<?>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                results.add(workers.submit(() -> {
                    for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                        task.run(i);
                    }
                }));
            }
            for (Future<?> result : results) {
                result.get();
            }
        }
        catch (java.util.concurrent.ExecutionException ex) {
            throw new IllegalStateException("A demo transaction failed: " + ex.getCause(), ex.getCause());
        }
        finally {
            workers.shutdownNow();
        }
    }

    @FunctionalInterface
    private interface IntTask {

        void run(int i);
    }
}
