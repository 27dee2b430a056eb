package dev.batcher.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a {@link BatcherStartupException} (an invalid {@code @BatchSink} declaration, a configured dispatcher without
 * a sink, an invalid option value) into Spring Boot's {@code APPLICATION FAILED TO START} report, wherever it sits in
 * the chain of causes. Registered in {@code META-INF/spring.factories}.
 */
class BatcherFailureAnalyzer extends AbstractFailureAnalyzer<BatcherStartupException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, BatcherStartupException cause) {
        return new FailureAnalysis(cause.getDescription(), cause.getAction(), cause);
    }
}
