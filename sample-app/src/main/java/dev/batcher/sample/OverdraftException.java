package dev.batcher.sample;

/** A withdrawal larger than the balance: refused for its caller only, the other transactions of the batch go on. */
public class OverdraftException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final long account;

    private final long balance;

    private final long amount;

    /**
     * Creates the exception.
     *
     * @param account the account id
     * @param balance its balance
     * @param amount the refused amount (negative)
     */
    public OverdraftException(long account, long balance, long amount) {
        super("Account " + account + " has a balance of " + balance + "; a withdrawal of " + -amount
                + " would overdraw it");
        this.account = account;
        this.balance = balance;
        this.amount = amount;
    }

    /** The account id. */
    public long account() {
        return account;
    }

    /** Its balance when the withdrawal was refused. */
    public long balance() {
        return balance;
    }

    /** The refused amount. */
    public long amount() {
        return amount;
    }
}
