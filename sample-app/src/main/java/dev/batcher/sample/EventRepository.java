package dev.batcher.sample;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Table {@code events} through plain JDBC: the batched insert used by the sink, the one-row insert used by the
 * demo's comparison, and the row count.
 */
@Repository
public class EventRepository {

    private static final String INSERT = "INSERT INTO events (type, payload, created_at) VALUES (?, ?, ?)";

    private final JdbcTemplate jdbc;

    private final TransactionTemplate transaction;

    /**
     * Creates the repository.
     *
     * @param jdbc the app's JDBC template
     * @param transactionManager the app's transaction manager
     */
    public EventRepository(JdbcTemplate jdbc, PlatformTransactionManager transactionManager) {
        this.jdbc = jdbc;
        this.transaction = new TransactionTemplate(transactionManager);
    }

    /**
     * Inserts all events with one JDBC batch in one transaction: either every row is stored or none is, so that a
     * batch the dispatcher retries is never stored twice.
     *
     * @param events the events, in order
     */
    public void insertAll(List<Event> events) {
        transaction.executeWithoutResult(status -> jdbc.batchUpdate(INSERT, events, events.size(),
                EventRepository::bind));
    }

    /**
     * Inserts one event in its own transaction: what code without batching does per request.
     *
     * @param event the event
     */
    public void insertOne(Event event) {
        jdbc.update(INSERT, ps -> bind(ps, event));
    }

    /** The number of rows in table {@code events}. */
    public long count() {
        Long count = jdbc.queryForObject("SELECT COUNT(*) FROM events", Long.class);
        return count != null ? count : 0;
    }

    /**
     * Deletes the rows of one type; the demo uses it to remove its comparison rows.
     *
     * @param type the type to delete
     * @return the number of rows deleted
     */
    public int deleteByType(String type) {
        return jdbc.update("DELETE FROM events WHERE type = ?", type);
    }

    private static void bind(PreparedStatement ps, Event event) throws SQLException {
        ps.setString(1, event.type());
        ps.setString(2, event.payload());
        ps.setObject(3, OffsetDateTime.ofInstant(event.createdAt(), ZoneOffset.UTC));
    }
}
