package dev.batcher.sample;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line console progress bar in plain ASCII, redrawn in place with a carriage return:
 * {@code [##########--------------]  42%  84,000/200,000 stored}. Not thread-safe: draw from one thread at a time.
 */
final class ProgressBar {

    private final PrintStream out;

    private final long total;

    private final int width;

    private int lastLength;

    ProgressBar(PrintStream out, long total, int width) {
        this.out = out;
        this.total = Math.max(total, 1);
        this.width = width;
    }

    /** Redraws the line for {@code done} of the total, followed by {@code suffix}. */
    void update(long done, String suffix) {
        String line = line(done, suffix);
        int pad = Math.max(0, lastLength - line.length());
        out.print("\r" + line + " ".repeat(pad));
        out.flush();
        lastLength = line.length();
    }

    /** Draws the final state and ends the line. */
    void finish(long done, String suffix) {
        update(done, suffix);
        out.println();
        out.flush();
    }

    String line(long done, String suffix) {
        long clamped = Math.min(Math.max(done, 0), total);
        int filled = (int) (clamped * width / total);
        int percent = (int) (clamped * 100 / total);
        return String.format(Locale.ROOT, "[%s%s] %3d%%  %s", "#".repeat(filled), "-".repeat(width - filled),
                percent, suffix);
    }
}
