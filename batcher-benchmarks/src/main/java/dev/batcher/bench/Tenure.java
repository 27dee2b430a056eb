package dev.batcher.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;

/**
 * Puts a pipeline that was just built into the state it has in a service that has run for a while: its long-lived
 * structures (a ring, a queue's array, a Disruptor's ring buffer) in the old generation. Every benchmark calls
 * {@link #promote()} after it builds its pipeline and before it measures.
 *
 * <p>Why it matters, measured on this project's 2-core machine (2026-11-30, G1, 2 producers, interleaved rounds):
 * G1's post-write barrier is almost free for a reference stored into an object of the young generation, and costs a
 * StoreLoad fence and a card-table check (and, now and then, dirtying a card for the refinement threads) for one stored
 * into an old object. A pipeline that allocates nothing per item, such as JCTools' {@code MpscArrayQueue} with boxed
 * items made in advance, never triggers a collection in a benchmark's JVM, so its array stays young for the whole run
 * and every {@code offer} skips the barrier: 34.7-42.2 M items/s. The same pipeline with its array in the old
 * generation (JMH's {@code -gc true}, which collects between iterations) measured 20.2-26.1 M, and 32.3-33.0 M with
 * Parallel GC, whose barrier has no fence. A pipeline that allocates per item (a future, a batch) triggers young
 * collections, which soon tenure its ring, so it paid the barrier in every run: the Dispatcher's {@code submit} with
 * a pre-touched 3 GB heap (few collections, its ring still young) measured 29.5-34.1 M, and 18.4-19.3 M with
 * {@code -XX:MaxTenuringThreshold=0} (its ring tenured at the first collection). Comparing a young array with an old
 * one measured the garbage collector's barrier, not the hand-off; in a service every such structure is old.
 *
 * <p>{@code -Dbench.tenure=false} skips the collection, to measure the young-array case on purpose.
 */
final class Tenure {

    private Tenure() {
    }

    /**
     * Collects the whole heap ({@link System#gc()}, a full collection with G1 unless the JVM was told otherwise), so
     * that everything alive now is in the old generation; warns when the JVM left objects in the young one.
     */
    static void promote() {
        if (!Boolean.parseBoolean(System.getProperty("bench.tenure", "true"))) {
            return;
        }
        System.gc();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getName().contains("Survivor") && pool.getUsage().getUsed() > 0) {
                System.out.println("[tenure] warning: " + pool.getName() + " still holds " + pool.getUsage().getUsed()
                        + " bytes after System.gc() (-XX:+DisableExplicitGC or ExplicitGCInvokesConcurrent?): the"
                        + " pipeline's structures may still be young");
            }
        }
    }
}
