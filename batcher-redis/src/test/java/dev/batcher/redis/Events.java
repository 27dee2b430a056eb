package dev.batcher.redis;

import dev.batcher.limit.CapacityEvent;
import dev.batcher.limit.CapacityListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records a limiter's events and the threads they were delivered on. */
final class Events implements CapacityListener {

    /** An event and the name of the thread that delivered it. */
    record Seen(CapacityEvent event, String thread) {
    }

    private final List<Seen> seen = new CopyOnWriteArrayList<>();

    @Override
    public void onEvent(CapacityEvent event) {
        seen.add(new Seen(event, Thread.currentThread().getName()));
    }

    List<Seen> all() {
        return List.copyOf(seen);
    }

    List<CapacityEvent> named(String name) {
        return seen.stream().map(Seen::event).filter(e -> e.name().equals(name)).toList();
    }

    boolean has(String name, String messagePart) {
        return named(name).stream().anyMatch(e -> e.message() != null && e.message().contains(messagePart));
    }
}
