package dev.batcher.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A body without a length is read at most one byte past the limit, however long it goes on. */
class BoundedBodyReaderTest {

    @Test
    void anEndlessBodyIsRefusedAfterReadingOneBytePastTheLimit() {
        AtomicLong read = new AtomicLong();
        BoundedBodyReader reader = new BoundedBodyReader(1000);

        assertThatExceptionOfType(RequestTooLargeException.class)
                .isThrownBy(() -> reader.read(new Endless(read)))
                .withMessage("The request body is more than 1000 bytes; one request may carry at most 1000 bytes "
                        + "(sample.events.max-request-bytes), so split it into several requests");
        assertThat(read.get()).isEqualTo(1001);
    }

    @Test
    void aBodyOfExactlyTheLimitIsReadWhole() throws IOException {
        byte[] body = new byte[1000];

        assertThat(new BoundedBodyReader(1000).read(new ByteArrayInputStream(body))).hasSize(1000);
    }

    @Test
    void anEmptyBodyIsEmpty() throws IOException {
        assertThat(new BoundedBodyReader(1000).read(new ByteArrayInputStream(new byte[0]))).isEmpty();
    }

    /** Spaces without end; counts the bytes read. */
    private static final class Endless extends InputStream {

        private final AtomicLong read;

        Endless(AtomicLong read) {
            this.read = read;
        }

        @Override
        public int read() {
            read.incrementAndGet();
            return ' ';
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            Arrays.fill(buffer, offset, offset + length, (byte) ' ');
            read.addAndGet(length);
            return length;
        }
    }
}
