package dev.batcher.sample;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** The demo load at startup, small: it prints its summary and leaves exactly its batched events in the table. */
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(properties = {
        "demo.events=2000",
        "demo.one-by-one-sample=500",
        "spring.datasource.url=jdbc:h2:mem:events-demo-${random.uuid}"})
class DemoLoadTest {

    @Autowired
    EventRepository repository;

    @Test
    void demoStoresItsEventsInBatchesAndPrintsTheComparison(CapturedOutput output) {
        assertThat(repository.count()).isEqualTo(2000);
        assertThat(output.getOut())
                .contains("Batcher demo: 2,000 events -> dispatcher 'events'")
                .contains("Warm-up: 2,000 events each way, not measured")
                .contains("[" + "#".repeat(40) + "] 100%  2,000/2,000 stored")
                .containsPattern("Batched: +2,000 events stored in [0-9.]+ s = [0-9,]+ events/s")
                .containsPattern("[0-9,]+ batches, mean batch size [0-9.]+ events")
                .containsPattern("One by one: 500 events inserted with one INSERT each .* = [0-9,]+ events/s")
                .contains("all 2,000 events one by one: about")
                .contains("(extrapolated from 500)")
                .containsPattern("Speed-up: +batched events/s / one-by-one events/s = [0-9.]+x")
                .contains("Demo done. Still serving");
    }
}
