package dev.batcher.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

import dev.batcher.autoconfigure.TestEngines.LedgerStoreConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * The {@code APPLICATION FAILED TO START} report of a resource processor configured without a store, with an invalid
 * option, and of an unknown key under {@code batcher.processors}.
 */
@ExtendWith(OutputCaptureExtension.class)
class ProcessorFailureAnalyzersTests {

    @Test
    void processorWithoutStoreIsReportedWithTheFix(CapturedOutput output) {
        failToStart("processor-without-store.yml");
        assertReport(output, "Processor 'accounts' is configured (batcher.processors.accounts.*) but no "
                + "ResourceStore bean is named 'accounts' or annotated with @ProcessorStore(\"accounts\")",
                "ResourceStore beans: [ledgerStore]",
                "Declare its store, such as '@Bean @ProcessorStore(\"accounts\") ResourceStore<YourKey, YourResource> "
                        + "accountsStore() { ... }', build the processor with the ResourceProcessors bean, or remove "
                        + "the properties batcher.processors.accounts.*.");
    }

    @Test
    void invalidProcessorValueIsReportedWithPropertyValueOriginAndFix(CapturedOutput output) {
        failToStart("processor-short-max-duration.yml");
        assertReport(output, "Invalid option of processor 'ledger':",
                "Property: batcher.processors.ledger.max-duration", "Value: \"50ms\"",
                "Origin: class path resource [bad-configs/processor-short-max-duration.yml] - 4:21",
                "Reason: must be longer than min-duration=100ms",
                "Update batcher.processors.ledger.max-duration in your configuration, or remove it to use the "
                        + "default.");
    }

    @Test
    void misspelledProcessorKeyIsReportedWithTheClosestValidKey(CapturedOutput output) {
        assertThatException().isThrownBy(() -> run("--batcher.processors.ledger.min-durtion=50ms"));
        assertReport(output, "Property: batcher.processors.ledger.min-durtion",
                "did you mean 'batcher.processors.ledger.min-duration'?");
    }

    private static void failToStart(String config) {
        assertThatException().isThrownBy(() -> run("--spring.config.location=classpath:bad-configs/" + config));
    }

    private static void run(String argument) {
        new SpringApplicationBuilder(LedgerApplication.class)
                .web(WebApplicationType.NONE)
                .bannerMode(Banner.Mode.OFF)
                .logStartupInfo(false)
                .run(argument);
    }

    private static void assertReport(CapturedOutput output, String... fragments) {
        String report = output.getOut().substring(output.getOut().indexOf("APPLICATION FAILED TO START"));
        assertThat(report).contains("Description:", "Action:").contains(fragments);
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({ BatcherAutoConfiguration.class, ResourceProcessorAutoConfiguration.class })
    @Import(LedgerStoreConfiguration.class)
    static class LedgerApplication {
    }
}
