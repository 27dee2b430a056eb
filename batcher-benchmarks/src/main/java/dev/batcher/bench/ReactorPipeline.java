package dev.batcher.bench;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import reactor.core.Disposable;
import reactor.core.publisher.Sinks;

/**
 * What a Spring user writes today: a serialized unicast sink fed with {@code emitNext} and a busy-looping failure
 * handler, then {@code bufferTimeout(100, 10ms)} into the counting consumer. The subscriber requests everything,
 * so the producer that wins the sink's serialization runs {@code bufferTimeout} and the consumer inline; the other
 * producers spin on {@code FAIL_NON_SERIALIZED}.
 */
final class ReactorPipeline implements Pipeline {

    /** Retries while another producer holds the sink (and, defensively, on overflow); allocates nothing. */
    static final Sinks.EmitFailureHandler BUSY_LOOP = (signal, result) -> {
        if (result == Sinks.EmitResult.FAIL_NON_SERIALIZED || result == Sinks.EmitResult.FAIL_OVERFLOW) {
            Thread.onSpinWait();
            return true;
        }
        return false;
    };

    private final CountingSink sink = new CountingSink();
    private final Sinks.Many<Long> many = Sinks.many().unicast().onBackpressureBuffer();
    private final Disposable subscription;
    private final CountDownLatch completed = new CountDownLatch(1);

    ReactorPipeline() {
        subscription = many.asFlux()
                .bufferTimeout(BATCH_ITEMS, Duration.ofMillis(BATCH_AGE_MS))
                .subscribe(sink::accept, error -> completed.countDown(), completed::countDown);
    }

    @Override
    public Object put(Long item) {
        many.emitNext(item, BUSY_LOOP);
        return null;
    }

    @Override
    public CountingSink sink() {
        return sink;
    }

    @Override
    public void close() throws InterruptedException {
        many.emitComplete(BUSY_LOOP);
        completed.await(30, TimeUnit.SECONDS); // the last partial buffer reaches the sink
        subscription.dispose();
    }
}
