package dev.batcher.sample;

import dev.batcher.spring.BatchCommit;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Writes audit records to table {@code audit_records}. {@link #insert} is the commit of coordinator {@code audit}: it
 * stores every record contributed to one batch with one multi-row {@code INSERT}, however many concurrent requests
 * contributed; {@link #insertOne} is the one-at-a-time way the demo compares it with.
 */
@Component
public class AuditLog {

    private static final String INSERT = "INSERT INTO audit_records (account_id, amount, outcome, created_at) VALUES ";

    private final JdbcTemplate jdbc;

    private final LongAdder statements = new LongAdder();

    /**
     * Creates the log.
     *
     * @param jdbc the database
     */
    public AuditLog(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Stores one batch's records with one statement.
     *
     * @param records every record contributed to the batch
     * @return the rows inserted, which every contributor gets
     */
    @BatchCommit("audit")
    public int insert(List<AuditRecord> records) {
        if (records.isEmpty()) {
            return 0;
        }
        statements.increment();
        List<Object> arguments = new ArrayList<>(records.size() * 4);
        for (AuditRecord record : records) {
            arguments.add(record.account());
            arguments.add(record.amount());
            arguments.add(record.outcome());
            arguments.add(Timestamp.from(record.at()));
        }
        return jdbc.update(INSERT + String.join(", ", Collections.nCopies(records.size(), "(?, ?, ?, ?)")),
                arguments.toArray());
    }

    /**
     * Stores one record with a statement of its own (the one-at-a-time way).
     *
     * @param record the record
     */
    public void insertOne(AuditRecord record) {
        statements.increment();
        jdbc.update(INSERT + "(?, ?, ?, ?)", record.account(), record.amount(), record.outcome(),
                Timestamp.from(record.at()));
    }

    /** Records stored for an account. */
    public long count(long account) {
        Long count = jdbc.queryForObject("SELECT COUNT(*) FROM audit_records WHERE account_id = ?", Long.class,
                account);
        return (count != null) ? count : 0;
    }

    /** INSERT statements run so far. */
    public long statements() {
        return statements.sum();
    }
}
