package dev.batcher.durable;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Collects what a class logs at WARNING or above (its {@code System.Logger} goes to java.util.logging in these
 * tests) from {@link #of} until {@link #close()}: a test asserts that nothing went wrong that was only logged.
 */
public final class CapturedWarnings extends Handler implements AutoCloseable {

    private final Logger logger;
    private final List<String> messages = new CopyOnWriteArrayList<>();

    private CapturedWarnings(Logger logger) {
        this.logger = logger;
    }

    /** Starts collecting the warnings that {@code source} logs. */
    public static CapturedWarnings of(Class<?> source) {
        CapturedWarnings captured = new CapturedWarnings(Logger.getLogger(source.getName()));
        captured.logger.addHandler(captured);
        return captured;
    }

    /** The warnings so far, each with its exception if it had one. */
    public List<String> messages() {
        return List.copyOf(messages);
    }

    @Override
    public void publish(LogRecord record) {
        if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
            messages.add(record.getMessage() + (record.getThrown() == null ? "" : ": " + record.getThrown()));
        }
    }

    @Override
    public void flush() {
    }

    /** Stops collecting. */
    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
