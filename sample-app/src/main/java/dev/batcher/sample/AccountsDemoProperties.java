package dev.batcher.sample;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the accounts part of the demo ({@link AccountsDemo}), bound from {@code demo.accounts.*}.
 *
 * @param transactions how many transactions the demo applies each way; 0 skips this part
 * @param accounts over how many accounts they are spread
 * @param auditRecords how many audit records it writes each way
 * @param auditThreads how many threads contribute them at once, like concurrent requests
 */
@ConfigurationProperties("demo.accounts")
public record AccountsDemoProperties(@DefaultValue("20000") int transactions, @DefaultValue("10") int accounts,
        @DefaultValue("5000") int auditRecords, @DefaultValue("64") int auditThreads) {

    /** Checks the values, naming the property that is wrong. */
    public AccountsDemoProperties {
        if (transactions < 0) {
            throw new IllegalArgumentException("demo.accounts.transactions must be 0 (skip) or more, got "
                    + transactions);
        }
        if (accounts < 1) {
            throw new IllegalArgumentException("demo.accounts.accounts must be at least 1, got " + accounts);
        }
        if (auditRecords < 0 || auditThreads < 1) {
            throw new IllegalArgumentException("demo.accounts.audit-records must be 0 or more and "
                    + "demo.accounts.audit-threads at least 1, got " + auditRecords + " and " + auditThreads);
        }
    }
}
