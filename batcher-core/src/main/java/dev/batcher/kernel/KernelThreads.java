package dev.batcher.kernel;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Starts an engine's threads, named {@code batcher-<name>-<role>}, as daemon {@link Owned} threads, so the kernel can
 * tell its own threads from callers' (a blocking submit from one of them would wait for itself).
 */
final class KernelThreads {

    private final String prefix;
    private final Object owner;
    private final AtomicInteger senders = new AtomicInteger();

    KernelThreads(String engineName, Object owner) {
        this.prefix = "batcher-" + engineName + "-";
        this.owner = owner;
    }

    Thread start(String role, Runnable body) {
        Thread thread = new Owned(owner, body, prefix + role);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    Thread startSender(Runnable body) {
        return start("send-" + senders.incrementAndGet(), body);
    }

    /** Whether the current thread belongs to {@code owner}. */
    static boolean isOwnThread(Object owner) {
        return Thread.currentThread() instanceof Owned owned && owned.owner == owner;
    }

    private static final class Owned extends Thread {

        final Object owner;

        Owned(Object owner, Runnable body, String name) {
            super(body, name);
            this.owner = owner;
        }
    }
}
