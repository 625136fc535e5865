package dev.nimbus.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A minimal HTTP/1.1 keep-alive client over one socket: request, then read the status line,
 * headers and a Content-Length body. A load generator only — the JDK HttpClient's shared
 * selector limits it to a few thousand requests per second, well below the server's rate, so
 * it would measure itself. Each request goes out in one write (head and body together, as
 * the PostgreSQL driver sends a statement), and the response is parsed in the connection's
 * own buffer. Loopback only.
 */
final class KeepAliveHttp implements AutoCloseable {
    record Response(int status, String body) {
    }

    private static final int HEAD_BYTES_MAX = 16 * 1024;

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private final String host;
    /** Received bytes not yet consumed are {@code buf[start, end)}. */
    private byte[] buf = new byte[HEAD_BYTES_MAX];
    private int start;
    private int end;

    KeepAliveHttp(int port) throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
        socket.setSoTimeout(10_000);
        out = socket.getOutputStream();
        in = socket.getInputStream();
        host = "127.0.0.1:" + port;
    }

    Response send(String method, String path, String authorization, String body) throws IOException {
        out.write(EventLoopHttp.request(method, path, host, authorization, body));
        return response();
    }

    private Response response() throws IOException {
        int headEnd = headEnd();
        if (headEnd - start < 12 || buf[start + 8] != ' ') {
            throw new IOException("not an HTTP response");
        }
        int status = (buf[start + 9] - '0') * 100 + (buf[start + 10] - '0') * 10 + (buf[start + 11] - '0');
        int length = EventLoopHttp.contentLength(buf, start, headEnd);
        start = headEnd;
        fill(length);
        String text = new String(buf, start, length, StandardCharsets.UTF_8);
        start += length;
        return new Response(status, text);
    }

    /** Reads until the buffer holds a whole head; the index just past its blank line. */
    private int headEnd() throws IOException {
        int scanned = start;
        while (true) {
            for (int i = Math.max(start, scanned - 3); i + 3 < end; i++) {
                if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
                    return i + 4;
                }
            }
            scanned = end;
            if (end - start >= HEAD_BYTES_MAX) {
                throw new IOException("response head larger than " + HEAD_BYTES_MAX + " bytes");
            }
            int before = start;
            readMore();
            scanned -= before - start;
        }
    }

    /** Reads until the buffer holds {@code n} unconsumed bytes. */
    private void fill(int n) throws IOException {
        while (end - start < n) {
            if (buf.length - start < n) {
                byte[] target = buf.length >= n ? buf : new byte[n + HEAD_BYTES_MAX];
                System.arraycopy(buf, start, target, 0, end - start);
                end -= start;
                start = 0;
                buf = target;
            }
            readMore();
        }
    }

    /** Compacts when the free space at the end runs low, then reads once. */
    private void readMore() throws IOException {
        if (buf.length - end < 1024) {
            System.arraycopy(buf, start, buf, 0, end - start);
            end -= start;
            start = 0;
        }
        int n = in.read(buf, end, buf.length - end);
        if (n < 0) {
            throw new IOException("connection closed");
        }
        end += n;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
