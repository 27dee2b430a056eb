package dev.batcher.bench;

import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.EventTranslatorOneArg;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;

/**
 * LMAX Disruptor 4, multi-producer ring of 65,536 slots, one handler that cuts a batch at 100 items or at the end
 * of what the ring holds ({@code endOfBatch}). Producers wait in {@code next()} when the ring is full.
 */
final class DisruptorPipeline implements Pipeline {

    static final class Slot {
        Long value;
    }

    private static final EventTranslatorOneArg<Slot, Long> PUT = (slot, sequence, item) -> slot.value = item;

    private final CountingSink sink = new CountingSink();
    private final Disruptor<Slot> disruptor;
    private final RingBuffer<Slot> ring;

    DisruptorPipeline(WaitStrategy waitStrategy) {
        disruptor = new Disruptor<>(Slot::new, BUFFER_ITEMS, r -> {
            Thread t = new Thread(r, "disruptor-consumer");
            t.setDaemon(true);
            return t;
        }, ProducerType.MULTI, waitStrategy);
        ArrayList<Long> batch = new ArrayList<>(BATCH_ITEMS);
        EventHandler<Slot> handler = (slot, sequence, endOfBatch) -> {
            batch.add(slot.value);
            slot.value = null;
            if (endOfBatch || batch.size() >= BATCH_ITEMS) {
                sink.accept(batch);
                batch.clear();
            }
        };
        disruptor.handleEventsWith(handler);
        ring = disruptor.start();
    }

    @Override
    public Object put(Long item) {
        ring.publishEvent(PUT, item);
        return null;
    }

    @Override
    public CountingSink sink() {
        return sink;
    }

    @Override
    public void close() throws Exception {
        disruptor.shutdown(30, TimeUnit.SECONDS);
    }
}
