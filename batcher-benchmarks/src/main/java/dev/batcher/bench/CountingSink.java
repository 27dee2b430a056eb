package dev.batcher.bench;

import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/** The batch consumer of every benchmark: reads each item and counts items and batches. Thread-safe. */
final class CountingSink {

    private final LongAdder items = new LongAdder();
    private final LongAdder batches = new LongAdder();
    private final LongAdder checksum = new LongAdder();

    void accept(List<Long> batch) {
        int n = batch.size();
        long sum = 0;
        for (int i = 0; i < n; i++) {
            sum += batch.get(i);
        }
        items.add(n);
        batches.add(1);
        checksum.add(sum);
    }

    long items() {
        return items.sum();
    }

    long batches() {
        return batches.sum();
    }

    long checksum() {
        return checksum.sum();
    }

    @Override
    public String toString() {
        long i = items();
        long b = batches();
        return String.format("consumed %,d items in %,d batches (%.1f items/batch)", i, b, b == 0 ? 0.0 : (double) i / b);
    }
}
