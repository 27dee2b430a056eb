package dev.batcher.durable;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The main class of the forked JVM in {@link DurableLogProcessTest}.
 * <ul>
 *   <li>{@code hold DIR}: opens the log, prints {@code OPEN}, and keeps it open until killed;</li>
 *   <li>{@code append DIR}: opens the log with {@code fsync=always} and appends {@code item-<i>} for i = 0, 1, ...
 *       printing {@code ACK <i> <position>} after each append returned, until killed;</li>
 *   <li>{@code append-staged DIR STAGING}: the same with {@code fsync=interval} and appends staged in
 *       {@code STAGING}, printing also {@code DURABLE <position>} after each fsync.</li>
 * </ul>
 */
public final class DurableLogChild {

    private DurableLogChild() {
    }

    /**
     * Runs one mode.
     *
     * @param args the mode and the directory
     */
    public static void main(String[] args) throws Exception {
        Path directory = Path.of(args[1]);
        switch (args[0]) {
            case "hold" -> {
                DurableLog log = DurableLog.open(DurableLogOptions.of(directory));
                System.out.println("OPEN " + log.directory());
                System.out.flush();
                Thread.currentThread().join();
            }
            case "append" -> {
                DurableLog log = DurableLog.open(DurableLogOptions.of(directory).withFsync(FsyncPolicy.ALWAYS)
                        .withSegmentBytes(64 << 10));
                System.out.println("OPEN " + log.directory());
                for (long i = 0; ; i++) {
                    long position = log.append(("item-" + i).getBytes(StandardCharsets.UTF_8));
                    System.out.println("ACK " + i + " " + position);
                }
            }
            case "append-staged" -> {
                // fsync=interval with appends staged on tmpfs: ACK once an append returned (on tmpfs, so it
                // survives this process), DURABLE <position> once the flusher forced the disk copy up to it.
                DurableLog log = DurableLog.open(DurableLogOptions.of(directory).withSegmentBytes(64 << 10)
                        .withStaging(Path.of(args[2])), new DurableLogListener() {
                            @Override
                            public void onFsync(long nanos, long durablePosition) {
                                System.out.println("DURABLE " + durablePosition);
                            }
                        });
                System.out.println("OPEN " + log.directory());
                for (long i = 0; ; i++) {
                    long position = log.append(("item-" + i).getBytes(StandardCharsets.UTF_8));
                    System.out.println("ACK " + i + " " + position);
                }
            }
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }
}
