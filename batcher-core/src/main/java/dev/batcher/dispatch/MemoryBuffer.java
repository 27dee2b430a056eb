package dev.batcher.dispatch;

import dev.batcher.limit.SendGate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * The in-memory {@link BatchBuffer}: one lock guards the lanes, the ready queue and every counter, so a snapshot is
 * always consistent and a submit costs one uncontended lock in the common case. Timers (batch age, retry waits,
 * gate waits, heartbeats) run on the {@link Scheduler} and wake senders through a condition; nothing polls.
 *
 * <p>Where things happen: a batch is cut by count or bytes in {@link #append}, by age in {@link #onAgeTimer}, by
 * {@link #flush()} and {@link #close()}; room is made in {@link #add} (block, drop-oldest, reject); senders wait in
 * {@link #take()}; retries come back in {@link #onRetryDue}.
 */
final class MemoryBuffer<T> implements BatchBuffer<T> {

    private final String name;
    private final int maxBatchItems;
    private final long maxBatchBytes;
    private final long maxAgeNanos;
    private final int bufferMaxItems;
    private final long bufferMaxBytes;
    private final FullBehavior fullBehavior;
    private final long blockTimeoutNanos;
    private final Function<? super T, ?> keyExtractor;
    private final long heartbeatPeriodNanos;
    private final long leaseTimeoutNanos;
    private final int initialBatchCapacity;
    private final Scheduler scheduler;
    private final SendGate gate;
    private final Events<T> events;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final Condition room = lock.newCondition();

    private final Lane<T> mainLane;
    private final Map<Object, Lane<T>> keyLanes;
    private final Lane<T> heartbeatLane = new Lane<>(null, false);
    private final ArrayDeque<Lane<T>> ready = new ArrayDeque<>();
    /** Open batches in the order they were opened; sealed ones are skipped lazily. */
    private final ArrayDeque<PendingBatch<T>> openBatches = new ArrayDeque<>();
    private final Set<PendingBatch<T>> waitingForRetry = new LinkedHashSet<>();
    private final List<PendingBatch<T>> inFlight = new ArrayList<>();
    private final CompletableFuture<Void> drained = new CompletableFuture<>();

    private long submitted;
    private long sent;
    private final long[] droppedByReason = new long[DropReason.values().length];
    private long retried;
    private long sentBatches;
    private long failedAttempts;
    private long consecutiveFailures;
    private long bufferedItems;
    private long bufferedBytes;
    private long inFlightItems;
    private long inFlightBytes;
    private int lastBatchItems;
    private long lastSentAt;
    private long fullSince = -1;
    private long lastLeaseAt;

    private boolean closed;
    private boolean stopped;
    private DropReason stopReason;
    private boolean paused;
    private boolean ageTimerArmed;
    private boolean gateTimerArmed;
    private boolean leaseTimerArmed;
    private boolean isDrained;
    private boolean drainedNoticePending;
    private Scheduler.Cancellable heartbeatTimer;

    MemoryBuffer(String name, DispatcherConfig<T> config, Scheduler scheduler, SendGate gate, Events<T> events) {
        this.name = name;
        this.maxBatchItems = config.maxBatchItems();
        this.maxBatchBytes = config.maxBatchBytes();
        this.maxAgeNanos = config.maxBatchAge().toNanos();
        this.bufferMaxItems = config.bufferMaxItems();
        this.bufferMaxBytes = config.bufferMaxBytes();
        this.fullBehavior = config.fullBehavior();
        this.blockTimeoutNanos = config.blockTimeout().toNanos();
        this.keyExtractor = config.ordering() == Ordering.PER_KEY ? config.keyExtractor() : null;
        this.initialBatchCapacity = Math.min(maxBatchItems, 1024);
        this.leaseTimeoutNanos = config.sendTimeout().toNanos();
        this.scheduler = scheduler;
        this.gate = gate;
        this.events = events;
        this.mainLane = new Lane<>(null, config.ordering() == Ordering.FIFO);
        this.keyLanes = keyExtractor != null ? new HashMap<>() : null;
        double minRate = config.minBatchesPerSecond();
        this.heartbeatPeriodNanos = minRate > 0 ? Math.max(1L, Math.round(1_000_000_000d / minRate)) : 0;
        this.lastLeaseAt = scheduler.nanoTime();
        if (heartbeatPeriodNanos > 0) {
            heartbeatTimer = scheduler.schedule(this::onHeartbeat, heartbeatPeriodNanos);
        }
    }

    // ---------------------------------------------------------------- producers

    @Override
    public void add(T item, CompletableFuture<Void> future, long bytes) {
        Object key = keyExtractor != null ? keyOf(item) : null;
        List<PendingBatch<T>> evicted = null;
        long blockedNanos = 0;
        String refusal = null;
        lock.lock();
        try {
            if (closed) {
                throw closedException();
            }
            if (!hasRoom(bytes)) {
                if (fullSince < 0) {
                    fullSince = scheduler.nanoTime();
                }
                switch (fullBehavior) {
                    case REJECT -> refusal = "buffer is full (buffer.max-items=" + bufferMaxItems
                            + limitText() + ") and buffer.full-behavior is reject";
                    case DROP_OLDEST -> {
                        evicted = evictOldestUntilRoom(bytes);
                        if (!hasRoom(bytes)) {
                            refusal = "buffer is full and every buffered batch is being sent or retried, so "
                                    + "drop-oldest found nothing to drop";
                        }
                    }
                    case BLOCK -> {
                        long start = System.nanoTime();
                        refusal = awaitRoom(bytes);
                        blockedNanos = Math.max(1L, System.nanoTime() - start);
                    }
                }
            }
            if (refusal == null) {
                append(key, item, future, bytes);
            }
            else {
                submitted++;
                droppedByReason[DropReason.BUFFER_FULL.ordinal()]++;
            }
        }
        finally {
            lock.unlock();
        }
        if (blockedNanos > 0) {
            events.blocked(blockedNanos);
        }
        if (evicted != null && !evicted.isEmpty()) {
            events.dropped(evicted, DropReason.OLDEST_DROPPED, null);
        }
        if (refusal != null) {
            events.rejected(item);
            throw new BufferFullException(name, "Dispatcher '" + name + "' refused the item: " + refusal
                    + ". Raise buffer.max-items, send faster (max-concurrent-sends, max-batch-items), or choose "
                    + "another buffer.full-behavior.");
        }
    }

    private Object keyOf(T item) {
        Object key = keyExtractor.apply(item);
        if (key == null) {
            throw new NullPointerException("Dispatcher '" + name + "': the key extractor returned null for item "
                    + item + "; per-key ordering needs a key for every item");
        }
        return key;
    }

    private String limitText() {
        return bufferMaxBytes > 0 ? ", buffer.max-bytes=" + bufferMaxBytes : "";
    }

    /** Waits for room per {@link FullBehavior#BLOCK}; returns null when there is room, else why not. */
    private String awaitRoom(long bytes) {
        long remaining = blockTimeoutNanos;
        try {
            while (!hasRoom(bytes)) {
                if (closed) {
                    throw closedException();
                }
                if (remaining <= 0) {
                    return "buffer stayed full for buffer.block-timeout="
                            + Duration.ofNanos(blockTimeoutNanos) + " (buffer.max-items=" + bufferMaxItems
                            + limitText() + ")";
                }
                remaining = room.awaitNanos(remaining);
            }
            return null;
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return "the producer was interrupted while waiting for room";
        }
    }

    private boolean hasRoom(long bytes) {
        return bufferedItems + inFlightItems < bufferMaxItems
                && (bufferMaxBytes < 0 || bufferedBytes + inFlightBytes + bytes <= bufferMaxBytes);
    }

    private void append(Object key, T item, CompletableFuture<Void> future, long bytes) {
        Lane<T> lane = key == null ? mainLane : keyLanes.computeIfAbsent(key, k -> new Lane<>(k, true));
        PendingBatch<T> batch = lane.open;
        if (batch != null && maxBatchBytes > 0 && batch.bytes() + bytes > maxBatchBytes) {
            seal(lane);
            batch = null;
        }
        if (batch == null) {
            batch = new PendingBatch<>(lane, scheduler.nanoTime(), initialBatchCapacity);
            lane.open = batch;
            openBatches.addLast(batch);
            if (!ageTimerArmed) {
                ageTimerArmed = true;
                scheduler.schedule(this::onAgeTimer, maxAgeNanos);
            }
        }
        batch.add(item, future, bytes);
        submitted++;
        bufferedItems++;
        bufferedBytes += bytes;
        if (batch.size() >= maxBatchItems || (maxBatchBytes > 0 && batch.bytes() >= maxBatchBytes)) {
            seal(lane);
        }
    }

    /** Cuts the lane's open batch and makes it sendable. */
    private void seal(Lane<T> lane) {
        PendingBatch<T> batch = lane.open;
        lane.open = null;
        batch.sealed = true;
        lane.sealed.addLast(batch);
        if (openBatches.peekFirst() == batch) {
            openBatches.pollFirst();
        }
        offerReady(lane, false);
    }

    private void offerReady(Lane<T> lane, boolean first) {
        if (!lane.sendable()) {
            return;
        }
        if (!lane.queued) {
            lane.queued = true;
            if (first) {
                ready.addFirst(lane);
            }
            else {
                ready.addLast(lane);
            }
        }
        work.signal();
    }

    /** Drop-oldest: drops waiting batches, oldest first, until the item fits. Never touches batches being sent. */
    private List<PendingBatch<T>> evictOldestUntilRoom(long bytes) {
        List<PendingBatch<T>> evicted = new ArrayList<>(1);
        while (!hasRoom(bytes)) {
            PendingBatch<T> victim = oldestWaiting();
            if (victim == null) {
                break;
            }
            Lane<T> lane = victim.lane;
            if (lane.open == victim) {
                lane.open = null;
                victim.sealed = true;
            }
            else {
                lane.sealed.remove(victim);
            }
            forgetIfIdle(lane);
            bufferedItems -= victim.size();
            bufferedBytes -= victim.bytes();
            droppedByReason[DropReason.OLDEST_DROPPED.ordinal()] += victim.size();
            evicted.add(victim);
        }
        return evicted;
    }

    private PendingBatch<T> oldestWaiting() {
        if (keyLanes == null) {
            return mainLane.sealed.isEmpty() ? mainLane.open : mainLane.sealed.peekFirst();
        }
        PendingBatch<T> oldest = null;
        for (Lane<T> lane : keyLanes.values()) {
            PendingBatch<T> candidate = lane.sealed.isEmpty() ? lane.open : lane.sealed.peekFirst();
            if (candidate != null && (oldest == null || candidate.createdAt - oldest.createdAt < 0)) {
                oldest = candidate;
            }
        }
        return oldest;
    }

    // ---------------------------------------------------------------- timers

    /** Cuts every open batch older than max-batch-age, then re-arms for the next one. */
    private void onAgeTimer() {
        lock.lock();
        try {
            ageTimerArmed = false;
            if (stopped) {
                return;
            }
            long now = scheduler.nanoTime();
            PendingBatch<T> batch;
            while ((batch = openBatches.peekFirst()) != null) {
                if (batch.sealed) {
                    openBatches.pollFirst();
                    continue;
                }
                long due = batch.createdAt + maxAgeNanos - now;
                if (due > 0) {
                    ageTimerArmed = true;
                    scheduler.schedule(this::onAgeTimer, due);
                    break;
                }
                seal(batch.lane);
            }
        }
        finally {
            lock.unlock();
        }
    }

    private void onGateTimer() {
        lock.lock();
        try {
            gateTimerArmed = false;
            work.signal();
        }
        finally {
            lock.unlock();
        }
    }

    /**
     * Reports leases older than the send timeout, then re-arms for the oldest remaining one. One timer for all
     * leases instead of one per send: under load it fires once per send-timeout period.
     */
    private void onLeaseTimer() {
        List<PendingBatch<T>> expired = new ArrayList<>(0);
        List<Integer> attempts = new ArrayList<>(0);
        lock.lock();
        try {
            leaseTimerArmed = false;
            if (stopped) {
                return;
            }
            long now = scheduler.nanoTime();
            long nextDue = Long.MAX_VALUE;
            for (PendingBatch<T> batch : inFlight) {
                long due = batch.leasedAt + leaseTimeoutNanos - now;
                if (due <= 0) {
                    expired.add(batch);
                    attempts.add(batch.attempt());
                }
                else {
                    nextDue = Math.min(nextDue, due);
                }
            }
            if (nextDue != Long.MAX_VALUE) {
                leaseTimerArmed = true;
                scheduler.schedule(this::onLeaseTimer, nextDue);
            }
        }
        finally {
            lock.unlock();
        }
        for (int i = 0; i < expired.size(); i++) {
            events.leaseExpired(expired.get(i), attempts.get(i));
        }
    }

    /** Sends an empty batch when nothing was sent for a heartbeat period (min-batches-per-second). */
    private void onHeartbeat() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            long now = scheduler.nanoTime();
            long idleFor = now - lastLeaseAt;
            if (idleFor >= heartbeatPeriodNanos && heartbeatLane.sealed.isEmpty()) {
                PendingBatch<T> beat = new PendingBatch<>(heartbeatLane, now, 1);
                beat.sealed = true;
                heartbeatLane.sealed.add(beat);
                offerReady(heartbeatLane, true);
                idleFor = 0;
            }
            heartbeatTimer = scheduler.schedule(this::onHeartbeat, heartbeatPeriodNanos - idleFor);
        }
        finally {
            lock.unlock();
        }
    }

    private void onRetryDue(PendingBatch<T> batch) {
        lock.lock();
        try {
            if (!waitingForRetry.remove(batch)) {
                return;
            }
            batch.pendingTimer = null;
            Lane<T> lane = batch.lane;
            lane.sealed.addFirst(batch);
            if (lane.exclusive) {
                lane.busy = false;
            }
            offerReady(lane, true);
        }
        finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- senders

    @Override
    public PendingBatch<T> take() throws InterruptedException {
        lock.lock();
        try {
            while (!stopped && !isDrained) {
                PendingBatch<T> batch = tryLease();
                if (batch != null) {
                    return batch;
                }
                work.await();
            }
            return null;
        }
        finally {
            lock.unlock();
        }
    }

    /** Leases the next sendable batch if there is one and the gate admits it now; never waits. */
    private PendingBatch<T> tryLease() {
        Lane<T> lane = nextReadyLane();
        if (lane == null || paused || gateTimerArmed || stopped || isDrained) {
            return null;
        }
        long wait = gate == null ? 0 : gate.tryAcquire(1);
        if (wait <= 0) {
            return lease(lane);
        }
        gateTimerArmed = true;
        scheduler.schedule(this::onGateTimer, wait);
        return null;
    }

    private Lane<T> nextReadyLane() {
        Lane<T> lane;
        while ((lane = ready.peekFirst()) != null && !lane.sendable()) {
            ready.pollFirst();
            lane.queued = false;
        }
        return lane;
    }

    private PendingBatch<T> lease(Lane<T> lane) {
        PendingBatch<T> batch = lane.sealed.pollFirst();
        if (lane.exclusive) {
            lane.busy = true;
        }
        if (!lane.sendable()) {
            ready.pollFirst();
            lane.queued = false;
        }
        bufferedItems -= batch.size();
        bufferedBytes -= batch.bytes();
        inFlightItems += batch.size();
        inFlightBytes += batch.bytes();
        inFlight.add(batch);
        long now = scheduler.nanoTime();
        lastLeaseAt = now;
        batch.leasedAt = now;
        if (!leaseTimerArmed) {
            leaseTimerArmed = true;
            scheduler.schedule(this::onLeaseTimer, leaseTimeoutNanos);
        }
        batch.beginAttempt();
        if (!ready.isEmpty()) {
            work.signal();
        }
        return batch;
    }

    @Override
    public PendingBatch<T> sent(PendingBatch<T> batch, boolean leaseNext) {
        PendingBatch<T> next = null;
        lock.lock();
        try {
            unlease(batch);
            sent += batch.size();
            sentBatches++;
            consecutiveFailures = 0;
            lastBatchItems = batch.size();
            lastSentAt = scheduler.nanoTime();
            release(batch.lane);
            if (leaseNext) {
                next = tryLease();
            }
        }
        finally {
            unlockThen(batch::completeSent);
        }
        return next;
    }

    @Override
    public void retryLater(PendingBatch<T> batch, long delayNanos) {
        DropReason dropInstead = null;
        lock.lock();
        try {
            unlease(batch);
            failedAttempts++;
            consecutiveFailures++;
            dropInstead = stopReason;
            if (dropInstead == null) {
                retried += batch.size();
                bufferedItems += batch.size();
                bufferedBytes += batch.bytes();
                waitingForRetry.add(batch);
                batch.pendingTimer = scheduler.schedule(() -> onRetryDue(batch), delayNanos);
            }
            else {
                droppedByReason[dropInstead.ordinal()] += batch.size();
                release(batch.lane);
            }
        }
        finally {
            DropReason reason = dropInstead;
            unlockThen(reason == null ? null : () -> events.dropped(List.of(batch), reason, null));
        }
    }

    @Override
    public void dropFailed(PendingBatch<T> batch, DropReason reason, Throwable cause) {
        lock.lock();
        try {
            unlease(batch);
            failedAttempts++;
            consecutiveFailures++;
            droppedByReason[reason.ordinal()] += batch.size();
            release(batch.lane);
        }
        finally {
            unlockThen(() -> events.dropped(List.of(batch), reason, cause));
        }
    }

    private void unlease(PendingBatch<T> batch) {
        inFlight.remove(batch);
        inFlightItems -= batch.size();
        inFlightBytes -= batch.bytes();
    }

    /** A batch of the lane left the buffer or its lease ended: free the lane, wake producers, maybe finish. */
    private void release(Lane<T> lane) {
        if (lane.exclusive) {
            lane.busy = false;
        }
        offerReady(lane, false);
        forgetIfIdle(lane);
        if (fullSince >= 0 && hasRoom(0)) {
            fullSince = -1;
        }
        room.signalAll();
        checkDrained();
    }

    private void forgetIfIdle(Lane<T> lane) {
        if (keyLanes != null && lane.idle()) {
            keyLanes.remove(lane.key, lane);
        }
    }

    // ---------------------------------------------------------------- control

    @Override
    public void flush() {
        lock.lock();
        try {
            sealAllOpen();
        }
        finally {
            lock.unlock();
        }
    }

    private void sealAllOpen() {
        PendingBatch<T> batch;
        while ((batch = openBatches.pollFirst()) != null) {
            if (!batch.sealed) {
                seal(batch.lane);
            }
        }
    }

    @Override
    public void setPaused(boolean paused) {
        lock.lock();
        try {
            this.paused = paused;
            work.signalAll();
        }
        finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (!closed) {
                closed = true;
                paused = false;
                sealAllOpen();
                cancelHeartbeat();
                room.signalAll();
                work.signalAll();
                checkDrained();
            }
        }
        finally {
            unlockAndNotify();
        }
    }

    @Override
    public void dropAll(DropReason reason) {
        List<PendingBatch<T>> dropped = new ArrayList<>();
        lock.lock();
        try {
            closed = true;
            stopped = true;
            if (stopReason == null) {
                stopReason = reason;
            }
            cancelHeartbeat();
            for (Lane<T> lane : allLanes()) {
                dropped.addAll(lane.sealed);
                lane.sealed.clear();
                if (lane.open != null) {
                    dropped.add(lane.open);
                    lane.open.sealed = true;
                    lane.open = null;
                }
                lane.busy = false;
            }
            for (PendingBatch<T> batch : waitingForRetry) {
                if (batch.pendingTimer != null) {
                    batch.pendingTimer.cancel();
                }
                dropped.add(batch);
            }
            waitingForRetry.clear();
            openBatches.clear();
            ready.clear();
            if (keyLanes != null) {
                keyLanes.clear();
            }
            for (PendingBatch<T> batch : dropped) {
                bufferedItems -= batch.size();
                bufferedBytes -= batch.bytes();
                droppedByReason[reason.ordinal()] += batch.size();
            }
            for (PendingBatch<T> batch : new ArrayList<>(inFlight)) {
                if (batch.abandon(batch.attempt())) {
                    unlease(batch);
                    droppedByReason[reason.ordinal()] += batch.size();
                    dropped.add(batch);
                }
            }
            room.signalAll();
            work.signalAll();
            checkDrained();
        }
        finally {
            dropped.removeIf(batch -> batch.size() == 0);
            unlockThen(dropped.isEmpty() ? null : () -> events.dropped(dropped, reason, null));
        }
    }

    private List<Lane<T>> allLanes() {
        List<Lane<T>> lanes = new ArrayList<>();
        lanes.add(mainLane);
        lanes.add(heartbeatLane);
        if (keyLanes != null) {
            lanes.addAll(keyLanes.values());
        }
        return lanes;
    }

    private void cancelHeartbeat() {
        if (heartbeatTimer != null) {
            heartbeatTimer.cancel();
            heartbeatTimer = null;
        }
    }

    private void checkDrained() {
        if (closed && !isDrained && bufferedItems == 0 && inFlight.isEmpty() && waitingForRetry.isEmpty()) {
            isDrained = true;
            drainedNoticePending = true;
            work.signalAll();
        }
    }

    private void unlockAndNotify() {
        unlockThen(null);
    }

    /**
     * Unlocks, then settles the outcome of what just left the buffer (futures, drop handler), and only then, if
     * this step drained the buffer, announces the drain: whoever waits for the drain sees every outcome settled.
     */
    private void unlockThen(Runnable outcome) {
        boolean notice = drainedNoticePending;
        drainedNoticePending = false;
        lock.unlock();
        try {
            if (outcome != null) {
                outcome.run();
            }
        }
        finally {
            if (notice) {
                try {
                    events.drained();
                }
                finally {
                    drained.complete(null);
                }
            }
        }
    }

    private IllegalStateException closedException() {
        return new IllegalStateException("Dispatcher '" + name + "' is closed and accepts no more items");
    }

    @Override
    public CompletableFuture<Void> drainedFuture() {
        return drained;
    }

    @Override
    public boolean isClosed() {
        lock.lock();
        try {
            return closed;
        }
        finally {
            lock.unlock();
        }
    }

    @Override
    public DispatcherStats snapshot() {
        lock.lock();
        try {
            Map<DropReason, Long> byReason = new EnumMap<>(DropReason.class);
            long dropped = 0;
            for (DropReason reason : DropReason.values()) {
                long n = droppedByReason[reason.ordinal()];
                if (n > 0) {
                    byReason.put(reason, n);
                    dropped += n;
                }
            }
            Duration fullFor = fullSince < 0 ? Duration.ZERO
                    : Duration.ofNanos(Math.max(0, scheduler.nanoTime() - fullSince));
            return new DispatcherStats(name, bufferedItems, bufferedBytes, inFlight.size(), inFlightItems,
                    submitted, sent, dropped, Collections.unmodifiableMap(byReason), retried, sentBatches,
                    failedAttempts, consecutiveFailures, fullFor, paused, closed, isDrained, lastBatchItems,
                    sentBatches > 0 ? Instant.now().minusNanos(scheduler.nanoTime() - lastSentAt) : null);
        }
        finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "MemoryBuffer[" + name + "]";
    }
}
