package dev.batcher.durable;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A second JVM (this test classpath, this {@code java.home}) running {@link DurableLogChild}; its standard output is
 * collected line by line on a reader thread so that the test can wait for lines with Awaitility.
 */
final class ChildProcess implements AutoCloseable {

    final Process process;
    final List<String> lines = new CopyOnWriteArrayList<>();
    private final Thread reader;

    private ChildProcess(Process process) {
        this.process = process;
        this.reader = new Thread(this::read, "child-stdout");
        this.reader.setDaemon(true);
        this.reader.start();
    }

    static ChildProcess start(String mode, Path directory) throws IOException {
        return start(DurableLogChild.class, mode, directory.toString());
    }

    /** Starts {@code mainClass} with {@code args} in a second JVM. */
    static ChildProcess start(Class<?> mainClass, String... args) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new java.util.ArrayList<>(List.of(java.toString(), "-cp",
                System.getProperty("java.class.path"), mainClass.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.redirectErrorStream(true);
        return new ChildProcess(builder.start());
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                lines.add(line);
            }
        } catch (IOException e) {
            // the process was killed
        }
    }

    /** Kills the process like {@code kill -9} and waits until it is gone and its output read. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
        reader.join(Duration.ofSeconds(60).toMillis()); // every line the child wrote before it died, however slow
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
