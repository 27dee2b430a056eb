package dev.batcher.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * A Lua script beside this class, run with EVALSHA and, when Redis does not know it (first use, restart), EVAL.
 */
final class LuaScript {

    private final String name;
    private final byte[] source;
    private final String sha;

    private LuaScript(String name, byte[] source) {
        this.name = name;
        this.source = source;
        try {
            this.sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(source));
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }

    static LuaScript load(String resource) {
        try (InputStream in = LuaScript.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Lua script " + resource + " missing beside " + LuaScript.class);
            }
            return new LuaScript(resource, in.readAllBytes());
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** Runs the script; the stage completes with its result. */
    <T> CompletionStage<T> run(RedisAsyncCommands<byte[], byte[]> redis, ScriptOutputType type, byte[][] keys,
            byte[]... args) {
        RedisFuture<T> first = redis.evalsha(sha, type, keys, args);
        return first.handle((result, error) -> {
            if (error == null) {
                return CompletableFuture.completedFuture(result);
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            if (cause instanceof RedisNoScriptException) {
                RedisFuture<T> again = redis.eval(source, type, keys, args);
                return again.toCompletableFuture();
            }
            return CompletableFuture.<T>failedFuture(cause);
        }).thenCompose(stage -> stage);
    }

    @Override
    public String toString() {
        return name;
    }
}
