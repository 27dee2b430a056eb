package dev.batcher.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

import dev.batcher.spring.BatchSink;
import dev.batcher.spring.BatchWatcher;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What a user sees when an application on the starter fails to start: Spring Boot's {@code APPLICATION FAILED TO
 * START} report, through the failure analyzers registered in {@code META-INF/spring.factories}, for the bad
 * configurations of a first trial.
 */
@ExtendWith(OutputCaptureExtension.class)
class BatcherFailureAnalyzersTests {

    @Test
    void misspelledKeyIsReportedWithTheClosestValidKey(CapturedOutput output) {
        failToStart(WordsApplication.class, "misspelled-key.yml");
        assertReport(output, "Unknown configuration key under 'batcher':",
                "Property: batcher.dispatchers.words.max-batch-itmes", "Value: \"5\"",
                "Origin: class path resource [bad-configs/misspelled-key.yml] - 4:24",
                "Reason: no such key; did you mean 'batcher.dispatchers.words.max-batch-items'?",
                "Rename 'batcher.dispatchers.words.max-batch-itmes' to 'batcher.dispatchers.words.max-batch-items'.",
                "Valid keys: batcher.defaults.<key> and batcher.dispatchers.<name>.<key>, where <key> is one of");
    }

    @Test
    void misplacedGroupIsReportedWithTheClosestValidKey(CapturedOutput output) {
        failToStart(WordsApplication.class, "missing-s.yml");
        assertReport(output, "Property: batcher.dispatcher.words.max-batch-items",
                "did you mean 'batcher.dispatchers.words.max-batch-items'?");
    }

    @Test
    void invalidValueIsReportedWithPropertyValueOriginAndFix(CapturedOutput output) {
        failToStart(WordsApplication.class, "negative-max-batch-items.yml");
        assertReport(output, "Invalid option of dispatcher 'words':",
                "Property: batcher.dispatchers.words.max-batch-items", "Value: \"-5\"",
                "Origin: class path resource [bad-configs/negative-max-batch-items.yml] - 4:24",
                "Reason: must be at least 1",
                "Update batcher.dispatchers.words.max-batch-items in your configuration, or remove it to use the "
                        + "default.");
    }

    @Test
    void byteLimitWithoutSizerIsReportedWithACustomizerExample(CapturedOutput output) {
        failToStart(WordsApplication.class, "bytes-without-sizer.yml");
        assertReport(output, "Property: batcher.dispatchers.words.max-batch-bytes", "Value: \"1MB\"",
                "Reason: a byte limit needs an item sizer",
                "Give dispatcher 'words' an item sizer with a DispatcherCustomizer bean, for example '@Bean "
                        + "DispatcherCustomizer<Word> wordsItemSizer() { return DispatcherCustomizer.forDispatcher("
                        + "\"words\", builder -> builder.itemSizer(word -> word.toString().length())); }'");
    }

    @Test
    void fifoWithFourSendsIsReported(CapturedOutput output) {
        failToStart(WordsApplication.class, "fifo-with-four-sends.yml");
        assertReport(output, "Property: batcher.dispatchers.words.max-concurrent-sends", "Value: \"4\"",
                "Reason: ordering fifo sends one batch at a time",
                "Update batcher.dispatchers.words.max-concurrent-sends in your configuration, or remove it");
    }

    @Test
    void sinkWithTwoParametersIsReported(CapturedOutput output) {
        failToStart(TwoParameterApplication.class, "empty.yml");
        assertReport(output, "Invalid @BatchSink method 'BatcherFailureAnalyzersTests.TwoParameterSink.send(List<"
                + "BatcherFailureAnalyzersTests.Word>, int)' on bean 'twoParameterSink': a sink method takes exactly "
                + "one parameter", "Declare it as 'send(List<YourItem> items)'");
    }

    @Test
    void twoSinksForOneNameAreReported(CapturedOutput output) {
        failToStart(TwoSinksApplication.class, "empty.yml");
        assertReport(output, "Two @BatchSink methods for dispatcher 'words'",
                "Give one of them another name, such as @BatchSink(\"words-2\"), or remove it.");
    }

    @Test
    void configuredDispatcherWithoutSinkIsReported(CapturedOutput output) {
        failToStart(WordsApplication.class, "no-sink.yml");
        assertReport(output, "Dispatcher 'wrods' is configured (batcher.dispatchers.wrods.*) but no bean has a "
                + "@BatchSink(\"wrods\") method", "Did you mean 'words'?",
                "Add a sink, such as '@BatchSink(\"wrods\") void send(List<YourItem> items)'");
    }

    @Test
    void durationWithASpaceIsReportedWithHowToWriteIt(CapturedOutput output) {
        failToStart(WordsApplication.class, "age-with-space.yml");
        assertReport(output, "Property: batcher.dispatchers.words.max-batch-age", "Value: \"50 millis\"",
                "Reason: it is not a duration",
                "Write a duration as a whole number and a unit, without a space: 50ms");
    }

    @Test
    void configuredBatcherWithoutWatcherIsReported(CapturedOutput output) {
        failToStart(CosmosApplication.class, "batcher-without-watcher.yml");
        assertReport(output, "Batcher 'cosmso' is configured (batcher.batchers.cosmso.*) but no bean has a "
                + "@BatchWatcher(\"cosmso\") method", "Did you mean 'cosmos'?",
                "Add a watcher, such as '@BatchWatcher(\"cosmso\") void process(List<YourPayload> payloads)'");
    }

    @Test
    void invalidBatcherValueIsReportedWithPropertyValueOriginAndFix(CapturedOutput output) {
        failToStart(CosmosApplication.class, "batcher-zero-flush-interval.yml");
        assertReport(output, "Invalid option of batcher 'cosmos':",
                "Property: batcher.batchers.cosmos.flush-interval", "Value: \"0ms\"",
                "Origin: class path resource [bad-configs/batcher-zero-flush-interval.yml] - 4:23",
                "Reason: must be positive, such as 100ms",
                "Update batcher.batchers.cosmos.flush-interval in your configuration, or remove it to use the "
                        + "default.");
    }

    private static void failToStart(Class<?> application, String config) {
        assertThatException().isThrownBy(() -> new SpringApplicationBuilder(application)
                .web(WebApplicationType.NONE)
                .bannerMode(Banner.Mode.OFF)
                .logStartupInfo(false)
                .run("--spring.config.location=classpath:bad-configs/" + config));
    }

    private static void assertReport(CapturedOutput output, String... fragments) {
        String report = output.getOut().substring(output.getOut().indexOf("APPLICATION FAILED TO START"));
        assertThat(report).contains("Description:", "Action:").contains(fragments);
    }

    record Word(String text) {
    }

    static class Words {

        @BatchSink("words")
        void send(List<Word> batch) {
        }
    }

    static class TwoParameterSink {

        @BatchSink("words")
        void send(List<Word> batch, int count) {
        }
    }

    static class SecondWords {

        @BatchSink("words")
        void store(List<Word> batch) {
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(BatcherAutoConfiguration.class)
    static class WordsApplication {

        @Bean
        Words words() {
            return new Words();
        }
    }

    static class CosmosWatcher {

        @BatchWatcher("cosmos")
        void upserts(List<Word> words) {
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({ BatcherAutoConfiguration.class, CostBatcherAutoConfiguration.class })
    static class CosmosApplication {

        @Bean
        CosmosWatcher cosmosWatcher() {
            return new CosmosWatcher();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(BatcherAutoConfiguration.class)
    static class TwoParameterApplication {

        @Bean
        TwoParameterSink twoParameterSink() {
            return new TwoParameterSink();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(BatcherAutoConfiguration.class)
    static class TwoSinksApplication {

        @Bean
        Words words() {
            return new Words();
        }

        @Bean
        SecondWords secondWords() {
            return new SecondWords();
        }
    }
}
