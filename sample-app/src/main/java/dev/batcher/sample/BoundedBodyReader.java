package dev.batcher.sample;

import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a request body of at most {@code sample.events.max-request-bytes}, refusing a larger one before reading it:
 * a body whose {@code Content-Length} is over the limit is refused without reading a byte (a client that sent
 * {@code Expect: 100-continue} never sends it), and a body without a length (chunked) is read up to one byte past
 * the limit, never further.
 */
final class BoundedBodyReader {

    private final int maxBytes;

    /**
     * Creates the reader.
     *
     * @param maxBytes the largest body accepted, at least 1
     */
    BoundedBodyReader(long maxBytes) {
        if (maxBytes < 1 || maxBytes >= Integer.MAX_VALUE) {
            throw new IllegalArgumentException("maxBytes must be between 1 and " + (Integer.MAX_VALUE - 1)
                    + ", got " + maxBytes);
        }
        this.maxBytes = (int) maxBytes;
    }

    /**
     * Reads the body of a request.
     *
     * @param request the request; its stream is not touched when its {@code Content-Length} is over the limit
     * @return the body, empty when there is none
     * @throws RequestTooLargeException when the body is larger than the limit
     * @throws IOException when the client's stream fails
     */
    byte[] read(HttpServletRequest request) throws IOException {
        long declared = request.getContentLengthLong();
        if (declared > maxBytes) {
            throw tooLarge("is " + declared + " bytes (Content-Length)");
        }
        return read(request.getInputStream());
    }

    /**
     * Reads a body of unknown length, at most one byte past the limit.
     *
     * @param body the body
     * @return the body's bytes, at most the limit
     * @throws RequestTooLargeException when more than the limit arrived; the rest is left unread
     * @throws IOException when the stream fails
     */
    byte[] read(InputStream body) throws IOException {
        byte[] bytes = body.readNBytes(maxBytes + 1);
        if (bytes.length > maxBytes) {
            throw tooLarge("is more than " + maxBytes + " bytes");
        }
        return bytes;
    }

    private RequestTooLargeException tooLarge(String size) {
        return new RequestTooLargeException("The request body " + size + "; one request may carry at most "
                + maxBytes + " bytes (sample.events.max-request-bytes), so split it into several requests");
    }
}
