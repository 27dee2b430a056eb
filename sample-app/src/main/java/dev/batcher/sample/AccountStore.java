package dev.batcher.sample;

import dev.batcher.resource.ResourceStore;
import dev.batcher.spring.ProcessorStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Loads and saves account balances in table {@code accounts}: the store of resource processor {@code accounts}
 * ({@code batcher.processors.accounts.*}), called once per batch of one account. Plain SQL that runs on H2 and
 * PostgreSQL: an absent account loads as balance 0 and is inserted by its first save. Counts its statements, so that
 * the demo can show what the batches saved.
 */
@Component
@ProcessorStore("accounts")
public class AccountStore implements ResourceStore<Long, Account> {

    private final JdbcTemplate jdbc;

    private final LongAdder statements = new LongAdder();

    /**
     * Creates the store.
     *
     * @param jdbc the database
     */
    public AccountStore(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Account load(Long id, Instant deadline) {
        statements.increment();
        List<Long> found = jdbc.query(connection -> {
            var statement = connection.prepareStatement("SELECT balance FROM accounts WHERE id = ?");
            statement.setLong(1, id);
            statement.setQueryTimeout(secondsUntil(deadline));
            return statement;
        }, (row, n) -> row.getLong(1));
        return new Account(id, found.isEmpty() ? 0 : found.get(0));
    }

    @Override
    public void save(Long id, Account account, Instant deadline) {
        statements.increment();
        int updated = jdbc.update("UPDATE accounts SET balance = ? WHERE id = ?", account.balance(), id);
        if (updated == 0) {
            statements.increment();
            jdbc.update("INSERT INTO accounts (id, balance) VALUES (?, ?)", id, account.balance());
        }
    }

    /** The balance stored now, 0 for an unknown account. */
    public long balance(long id) {
        List<Long> found = jdbc.queryForList("SELECT balance FROM accounts WHERE id = ?", Long.class, id);
        return found.isEmpty() ? 0 : found.get(0);
    }

    /** SQL statements load and save ran so far. */
    public long statements() {
        return statements.sum();
    }

    private static int secondsUntil(Instant deadline) {
        return (int) Math.max(1, Duration.between(Instant.now(), deadline).toSeconds() + 1);
    }
}
