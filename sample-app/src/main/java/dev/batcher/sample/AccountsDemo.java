package dev.batcher.sample;

import java.io.PrintStream;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * The third part of the demo, after {@link DownstreamDemo}: applies {@code demo.accounts.transactions} transactions
 * over {@code demo.accounts.accounts} accounts through resource processor {@code accounts} (a load and a save per batch
 * of one account) and then one at a time (a locking database transaction each); then writes
 * {@code demo.accounts.audit-records} audit records from {@code demo.accounts.audit-threads} threads through
 * coordinator {@code audit} (one multi-row INSERT per group commit) and then with an INSERT each. Prints, for each, the
 * SQL statements and the time of both ways and their ratios. Off with {@code demo.events=0} (the whole demo) or
 * {@code demo.accounts.transactions=0}.
 */
@Component
@Order(3)
public class AccountsDemo implements ApplicationRunner {

    /** The demo's accounts start here, away from those of the HTTP API's users. */
    static final long BATCHED_ACCOUNTS = 1_000_000;

    static final long ONE_BY_ONE_ACCOUNTS = 2_000_000;

    private static final Logger log = LoggerFactory.getLogger(AccountsDemo.class);

    private final AccountsComparison comparison;

    private final DemoProperties demo;

    private final AccountsDemoProperties properties;

    private final PrintStream out = System.out;

    /**
     * Creates the demo.
     *
     * @param comparison runs both ways
     * @param demo the {@code demo.*} settings (on/off, threads)
     * @param properties the {@code demo.accounts.*} settings
     */
    public AccountsDemo(AccountsComparison comparison, DemoProperties demo, AccountsDemoProperties properties) {
        this.comparison = comparison;
        this.demo = demo;
        this.properties = properties;
    }

    @Override
    public void run(ApplicationArguments args) throws InterruptedException {
        if (demo.events() == 0 || properties.transactions() == 0) {
            log.info("Accounts demo is off (demo.events=0 or demo.accounts.transactions=0)");
            return;
        }
        int count = properties.transactions();
        int accounts = properties.accounts();
        out.printf(Locale.ROOT, "%nAccounts demo: %,d transactions over %d accounts (deposits, and withdrawals that "
                + "may overdraw), from %d threads%n", count, accounts, demo.producers());
        AccountsComparison.Run batched = comparison.batched(BATCHED_ACCOUNTS, accounts, count, demo.producers());
        print("Through resource processor 'accounts':", batched);
        AccountsComparison.Run single = comparison.oneByOne(ONE_BY_ONE_ACCOUNTS, accounts, count, demo.producers());
        print("One at a time (SELECT FOR UPDATE + UPDATE each):", single);
        ratios(batched, single);

        int records = properties.auditRecords();
        int threads = properties.auditThreads();
        out.printf(Locale.ROOT, "Audit demo: %,d audit records from %d concurrent threads%n", records, threads);
        AccountsComparison.Run group = comparison.auditBatched(BATCHED_ACCOUNTS, records, threads);
        print("Through coordinator 'audit' (group commit):", group);
        AccountsComparison.Run inserts = comparison.auditOneByOne(ONE_BY_ONE_ACCOUNTS, records, threads);
        print("One INSERT per record:", inserts);
        ratios(group, inserts);
        if (group.perSecond() < inserts.perSecond()) {
            out.println("  (An INSERT into in-memory H2 takes microseconds and commits nothing to disk, so callers rarely "
                    + "overlap and a group commit has little to save; against a database over the network, where "
                    + "each commit costs a round trip and a flush, the contributors per commit and the ratio grow.)");
        }
        out.println();
    }

    private void print(String label, AccountsComparison.Run run) {
        out.printf(Locale.ROOT, "  %-50s %,8d SQL statements, %,6d refused, %7.2f s, %,10.0f per second%n", label,
                run.statements(), run.refused(), run.nanos() / 1e9, run.perSecond());
    }

    private void ratios(AccountsComparison.Run batched, AccountsComparison.Run single) {
        out.printf(Locale.ROOT, "  Batched: %.1fx fewer SQL statements, %.1fx the throughput%n",
                (double) single.statements() / Math.max(1, batched.statements()),
                batched.perSecond() / single.perSecond());
    }
}
