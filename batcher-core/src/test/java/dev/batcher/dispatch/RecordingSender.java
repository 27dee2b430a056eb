package dev.batcher.dispatch;

import dev.batcher.Batch;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A sender that records every successful batch (a copy of its items) and can be told to fail. */
class RecordingSender<T> implements BatchSender<T> {

    final List<List<T>> batches = new CopyOnWriteArrayList<>();
    final List<Integer> attempts = new CopyOnWriteArrayList<>();

    @Override
    public void send(Batch<T> batch) throws Exception {
        attempts.add(batch.attempt());
        beforeSend(batch);
        batches.add(new ArrayList<>(batch.items()));
    }

    /** Override to fail or wait. */
    void beforeSend(Batch<T> batch) throws Exception {
    }

    List<T> items() {
        List<T> all = new ArrayList<>();
        batches.forEach(all::addAll);
        return all;
    }

    List<Integer> sizes() {
        return batches.stream().map(List::size).toList();
    }
}
