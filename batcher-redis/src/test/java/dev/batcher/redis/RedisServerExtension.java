package dev.batcher.redis;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Runs a real {@code redis-server} (the Debian package) on a free loopback port for a test class: started before
 * all tests (and again before each test if a test stopped it), stopped after all. Tests can {@link #stop()},
 * {@link #start()} and {@link #restart()} it (same port, no persistence: a restart loses every key).
 *
 * <pre>{@code @RegisterExtension static final RedisServerExtension redis = new RedisServerExtension();}</pre>
 *
 * <p>This is the one way the project's tests start Redis: {@code batcher-redis} publishes its test classes as a
 * test-jar ({@code <type>test-jar</type>}, scope {@code test}) for the Spring Boot auto-configuration and the
 * sample app, whose tests point a {@link LettuceConnectionFactory} bean or {@code spring.data.redis.host} and
 * {@code spring.data.redis.port} at {@link #host()} and {@link #port()}.
 */
public final class RedisServerExtension implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {

    private static final String BINARY = "redis-server";

    private static final String HOST = "127.0.0.1";

    private final List<LettuceConnectionFactory> factories = new ArrayList<>();
    private int port;
    private Process process;
    private Path log;

    /** An extension whose server starts before the test class's first test, on a free loopback port. */
    public RedisServerExtension() {
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        findOnPath();
        port = freePort();
        log = Files.createTempFile("redis-server-" + port + "-", ".log");
        start();
        // Load Lettuce and Netty once, so that the first test's timings are not a cold start's. A cold start on a
        // loaded machine can take longer than the 500 ms connect timeout: try again for a while.
        StringRedisTemplate warmUp = newTemplate();
        await("a first Lettuce connection to redis-server on port " + port)
                .atMost(Duration.ofSeconds(10))
                .ignoreExceptions()
                .until(() -> "PONG".equals(warmUp.execute((RedisCallback<String>) connection -> connection.ping())));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Process running = process;
            if (running != null) {
                running.destroyForcibly();
            }
        }));
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (!isRunning()) {
            start();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        synchronized (factories) {
            factories.forEach(LettuceConnectionFactory::destroy);
            factories.clear();
        }
        stop();
    }

    /** The address the server listens on: the loopback address, {@code 127.0.0.1}. */
    public String host() {
        return HOST;
    }

    /** The port the server listens on (the same across restarts); known once the test class's tests run. */
    public int port() {
        return port;
    }

    /** Whether the server process is alive. */
    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Starts the server on {@link #port()} and waits until it answers PING. */
    public synchronized void start() {
        if (isRunning()) {
            throw new IllegalStateException("redis-server is already running on port " + port);
        }
        ProcessBuilder builder = new ProcessBuilder(BINARY, "--port", Integer.toString(port), "--save", "",
                "--appendonly", "no", "--bind", HOST)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        try {
            process = builder.start();
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Could not start " + BINARY + " on port " + port, ex);
        }
        Process started = process;
        await("redis-server on port " + port + " answering PING (log: " + log + ")")
                .atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    if (!started.isAlive()) {
                        throw new IllegalStateException("redis-server exited with " + started.exitValue()
                                + " on port " + port + ":\n" + Files.readString(log));
                    }
                    return ping();
                });
    }

    /** Stops the server (SIGTERM, then SIGKILL after 10 s) and waits until it has exited. */
    public synchronized void stop() {
        Process running = process;
        if (running == null) {
            return;
        }
        running.destroy();
        try {
            if (!running.waitFor(10, TimeUnit.SECONDS)) {
                running.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            running.destroyForcibly();
        }
        process = null;
    }

    /** Stops and starts the server on the same port; every key is lost. */
    public void restart() {
        stop();
        start();
    }

    /**
     * A started Lettuce connection factory for this server, destroyed after all tests. The command timeout is
     * short (500 ms), as the limiter's documentation asks, so that calls fail fast while the server is down. A Spring
     * context may take it as its {@code RedisConnectionFactory} bean
     * ({@code withBean(LettuceConnectionFactory.class, redis::newConnectionFactory)}): closing the context destroys
     * it, and destroying it again after all tests does nothing.
     */
    public LettuceConnectionFactory newConnectionFactory() {
        LettuceClientConfiguration client = LettuceClientConfiguration.builder()
                .commandTimeout(Duration.ofMillis(500))
                .build();
        LettuceConnectionFactory factory = new LettuceConnectionFactory(
                new RedisStandaloneConfiguration(HOST, port), client);
        factory.afterPropertiesSet();
        factory.start();
        synchronized (factories) {
            factories.add(factory);
        }
        return factory;
    }

    /** A template on a new connection factory, for tests that look at the keys. */
    public StringRedisTemplate newTemplate() {
        return new StringRedisTemplate(newConnectionFactory());
    }

    private boolean ping() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            socket.setSoTimeout(1000);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String reply = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine();
            return "+PONG".equals(reply);
        }
        catch (IOException ex) {
            return false;
        }
    }

    private static Path findOnPath() {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path candidate = Path.of(dir, BINARY);
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        throw new IllegalStateException(BINARY + " is not on the PATH (" + path + "). The batcher-redis tests run "
                + "against a real Redis: install the Debian package redis-server (apt-get install -y redis-server; "
                + ".ci/run installs it on a fresh machine) or put a redis-server 6.2+ binary on the PATH.");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
