package dev.batcher.sample;

/**
 * An account balance as resource processor {@code accounts} holds it during one batch: loaded once, changed by every
 * transaction of the batch in turn, saved once. Not thread-safe: the processor runs one operation at a time.
 */
public final class Account {

    private final long id;

    private long balance;

    /**
     * Creates the account as loaded.
     *
     * @param id the account id
     * @param balance its balance (0 for an account not stored yet)
     */
    public Account(long id, long balance) {
        this.id = id;
        this.balance = balance;
    }

    /** The account id. */
    public long id() {
        return id;
    }

    /** The balance now. */
    public long balance() {
        return balance;
    }

    /**
     * Applies a transaction: validates first, then changes the balance (so a refused one leaves it as it was).
     *
     * @param amount a deposit (positive) or a withdrawal (negative)
     * @return the new balance
     * @throws OverdraftException when a withdrawal is larger than the balance
     */
    public long apply(long amount) {
        if (balance + amount < 0) {
            throw new OverdraftException(id, balance, amount);
        }
        balance += amount;
        return balance;
    }
}
