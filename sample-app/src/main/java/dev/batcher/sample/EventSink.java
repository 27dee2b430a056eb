package dev.batcher.sample;

import dev.batcher.spring.BatchSink;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * The sender of dispatcher {@code events}: each batch the dispatcher cuts (up to
 * {@code batcher.dispatchers.events.max-batch-items} events, or whatever arrived within {@code max-batch-age}) becomes
 * one JDBC batch insert. A thrown exception fails the batch, which the dispatcher then retries as configured under
 * {@code batcher.dispatchers.events.retry}.
 */
@Component
public class EventSink {

    private final EventRepository repository;

    /**
     * Creates the sink.
     *
     * @param repository where the events go
     */
    public EventSink(EventRepository repository) {
        this.repository = repository;
    }

    /**
     * Stores one batch.
     *
     * @param events the events of the batch, in submission order
     */
    @BatchSink("events")
    public void store(List<Event> events) {
        repository.insertAll(events);
    }
}
