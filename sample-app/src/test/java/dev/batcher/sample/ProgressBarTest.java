package dev.batcher.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressBarTest {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    private final ProgressBar bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.US_ASCII), 200, 10);

    @Test
    void drawsFilledAndEmptyCellsWithThePercentage() {
        assertThat(bar.line(0, "x")).isEqualTo("[----------]   0%  x");
        assertThat(bar.line(50, "x")).isEqualTo("[##--------]  25%  x");
        assertThat(bar.line(200, "x")).isEqualTo("[##########] 100%  x");
        assertThat(bar.line(500, "x")).as("clamped").isEqualTo("[##########] 100%  x");
    }

    @Test
    void redrawsInPlaceWithCarriageReturnsAndBlanksALongerPreviousLine() {
        bar.update(20, "long suffix");
        bar.finish(200, "s");

        assertThat(bytes.toString(StandardCharsets.US_ASCII)).isEqualTo(
                "\r[#---------]  10%  long suffix"
                + "\r[##########] 100%  s" + " ".repeat(10) + System.lineSeparator());
    }
}
