package dev.batcher.sample;

import dev.batcher.coordinate.Coordinator;
import dev.batcher.resource.ResourceProcessor;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Account transactions two ways. Batched: through resource processor {@code accounts} (the balance loaded once per
 * batch of one account, each transaction applied in turn, saved once) and coordinator {@code audit} (each request's
 * audit record contributed, one multi-row INSERT per group commit). One at a time: a database transaction per call
 * ({@code SELECT ... FOR UPDATE}, then {@code UPDATE}) and an INSERT per audit record.
 */
@Service
public class Accounts {

    /** How long a transaction may wait for its batch to start. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(10);

    private final ResourceProcessor<Long, Account> accounts;

    private final Coordinator<List<AuditRecord>, Integer> audit;

    private final AuditLog auditLog;

    private final JdbcTemplate jdbc;

    private final TransactionTemplate transactions;

    private final Clock clock = Clock.systemUTC();

    private final LongAdder oneByOneStatements = new LongAdder();

    /**
     * Creates the service.
     *
     * @param accounts resource processor {@code accounts}
     * @param audit coordinator {@code audit}
     * @param auditLog the audit table
     * @param jdbc the database, for the one-at-a-time way
     * @param transactionManager its transactions
     */
    public Accounts(ResourceProcessor<Long, Account> accounts, Coordinator<List<AuditRecord>, Integer> audit,
            AuditLog auditLog, JdbcTemplate jdbc, PlatformTransactionManager transactionManager) {
        this.accounts = accounts;
        this.audit = audit;
        this.auditLog = auditLog;
        this.jdbc = jdbc;
        this.transactions = new TransactionTemplate(transactionManager);
    }

    /**
     * Applies a transaction in the account's next batch and audits it (applied or refused) in the next group commit.
     *
     * @param account the account id
     * @param amount a deposit (positive) or a withdrawal (negative)
     * @return the balance after it
     * @throws OverdraftException when the withdrawal is larger than the balance (audited as refused)
     * @throws Exception when the batch failed ({@code ResourceStoreException}) or did not start in time
     */
    public long transact(long account, long amount) throws Exception {
        long balance;
        try {
            balance = accounts.runAndWait(account, resource -> resource.apply(amount), START_TIMEOUT);
        }
        catch (OverdraftException ex) {
            audit(account, amount, "refused");
            throw ex;
        }
        audit(account, amount, "applied");
        return balance;
    }

    /**
     * Applies a transaction without waiting (for callers that do not hold a thread per request, like the demo).
     *
     * @param account the account id
     * @param amount the amount
     * @return the balance after it, or an {@link OverdraftException}
     */
    public CompletableFuture<Long> transactAsync(long account, long amount) {
        return accounts.run(account, resource -> resource.apply(amount));
    }

    /**
     * Contributes an audit record to the open batch of coordinator {@code audit} and waits for its commit.
     *
     * @return the rows its commit inserted
     */
    int audit(long account, long amount, String outcome) {
        AuditRecord record = new AuditRecord(account, amount, outcome, clock.instant());
        return audit.contribute((records, round) -> records.add(record));
    }

    /**
     * The one-at-a-time way: a database transaction that locks the row, checks and updates the balance.
     *
     * @param account the account id
     * @param amount the amount
     * @return the balance after it
     * @throws OverdraftException when the withdrawal is larger than the balance
     */
    public long transactOneByOne(long account, long amount) {
        Long balance = transactions.execute(status -> {
            oneByOneStatements.increment();
            List<Long> found = jdbc.queryForList("SELECT balance FROM accounts WHERE id = ? FOR UPDATE", Long.class,
                    account);
            Account resource = new Account(account, found.isEmpty() ? 0 : found.get(0));
            long after = resource.apply(amount);
            oneByOneStatements.increment();
            if (found.isEmpty()) {
                jdbc.update("INSERT INTO accounts (id, balance) VALUES (?, ?)", account, after);
            }
            else {
                jdbc.update("UPDATE accounts SET balance = ? WHERE id = ?", after, account);
            }
            return after;
        });
        return (balance != null) ? balance : 0;
    }

    /**
     * Stores accounts with balance 0 where absent, so that the one-at-a-time way always finds a row to lock (two
     * transactions inserting the same new account would collide).
     *
     * @param first the first account id
     * @param count how many
     */
    void openAccounts(long first, int count) {
        for (long id = first; id < first + count; id++) {
            if (jdbc.queryForList("SELECT id FROM accounts WHERE id = ?", Long.class, id).isEmpty()) {
                jdbc.update("INSERT INTO accounts (id, balance) VALUES (?, 0)", id);
            }
        }
    }

    /** The one-at-a-time way of auditing: an INSERT per record. */
    void auditOneByOne(long account, long amount, String outcome) {
        auditLog.insertOne(new AuditRecord(account, amount, outcome, clock.instant()));
    }

    /** SQL statements the one-at-a-time transactions ran (not counting the audit). */
    long oneByOneStatements() {
        return oneByOneStatements.sum();
    }
}
