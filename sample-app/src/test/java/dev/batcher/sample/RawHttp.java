package dev.batcher.sample;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * HTTP/1.1 over a plain socket, for what {@link java.net.http.HttpClient} cannot do reliably: send headers with
 * {@code Expect: 100-continue} and wait for the answer before any body, or keep sending a chunked body while the server
 * has already answered. Each call sends {@code Connection: close} and reads the response up to the end of the stream.
 */
final class RawHttp {

    private final int port;

    RawHttp(int port) {
        this.port = port;
    }

    /**
     * Sends the headers of a JSON POST that declares {@code contentLength} bytes and asks {@code Expect:
     * 100-continue}, then sends the body only if the server answers {@code 100 Continue}.
     *
     * @param sent counts the body bytes sent
     */
    Response postExpectingContinue(String path, long contentLength, AtomicLong sent) {
        try (Socket socket = open()) {
            OutputStream out = socket.getOutputStream();
            out.write(head(path, "Content-Length: " + contentLength + "\r\nExpect: 100-continue\r\n"));
            out.flush();
            InputStream in = socket.getInputStream();
            String status = readLine(in);
            if (status.startsWith("HTTP/1.1 100")) {
                readHeaders(in);
                byte[] buffer = new byte[8192];
                for (long left = contentLength; left > 0; left -= buffer.length) {
                    int n = (int) Math.min(buffer.length, left);
                    out.write(buffer, 0, n);
                    sent.addAndGet(n);
                }
                out.flush();
                status = readLine(in);
            }
            return response(status, in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * POSTs {@code bodyBytes} bytes of JSON-ish filler chunked (no {@code Content-Length}) from another thread, while
     * this one reads the response; the sender stops quietly if the server closes the connection first.
     */
    Response postChunked(String path, long bodyBytes) {
        try (Socket socket = open()) {
            OutputStream out = socket.getOutputStream();
            out.write(head(path, "Transfer-Encoding: chunked\r\n"));
            Thread sender = new Thread(() -> {
                byte[] chunk = new byte[8192];
                Arrays.fill(chunk, (byte) ' ');
                chunk[0] = '[';
                try {
                    for (long left = bodyBytes; left > 0; left -= chunk.length) {
                        int n = (int) Math.min(chunk.length, left);
                        out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                        out.write(chunk, 0, n);
                        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                        chunk[0] = ' ';
                    }
                    out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } catch (IOException e) {
                    // The server answered and closed before taking the whole body: what a refusal looks like.
                }
            }, "chunked-sender");
            sender.start();
            InputStream in = socket.getInputStream();
            return response(readLine(in), in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Socket open() throws IOException {
        Socket socket = new Socket("localhost", port);
        socket.setSoTimeout(30_000);
        return socket;
    }

    private static byte[] head(String path, String extraHeaders) {
        return ("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Connection: close\r\n" + extraHeaders + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static Response response(String status, InputStream in) throws IOException {
        String headers = readHeaders(in);
        byte[] rest = in.readAllBytes();
        String body = headers.toLowerCase().contains("transfer-encoding: chunked")
                ? unchunk(rest) : new String(rest, StandardCharsets.UTF_8);
        return new Response(Integer.parseInt(status.split(" ")[1]), headers, body);
    }

    private static String readHeaders(InputStream in) throws IOException {
        StringBuilder headers = new StringBuilder();
        for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
            headers.append(line).append('\n');
        }
        return headers.toString();
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("The server closed the connection in the middle of a line: " + line);
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    private static String unchunk(byte[] chunked) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int at = 0;
        while (true) {
            int lineEnd = indexOf(chunked, at);
            int size = Integer.parseInt(new String(chunked, at, lineEnd - at, StandardCharsets.US_ASCII).trim(), 16);
            if (size == 0) {
                return body.toString(StandardCharsets.UTF_8);
            }
            body.write(chunked, lineEnd + 2, size);
            at = lineEnd + 2 + size + 2;
        }
    }

    private static int indexOf(byte[] bytes, int from) {
        for (int i = from; i < bytes.length - 1; i++) {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n') {
                return i;
            }
        }
        throw new IllegalStateException("No chunk size line after byte " + from);
    }

    /** A response: status, raw header lines, decoded body. */
    record Response(int status, String headers, String body) {
    }
}
