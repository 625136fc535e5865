package dev.nimbus.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * An event-driven HTTP/1.1 load generator, built like {@code wrk}: a few threads, each with one
 * selector driving its share of the keep-alive connections; every connection has exactly one
 * request outstanding (no pipelining) and sends the next as soon as the answer is complete. So
 * it is still N concurrent clients each waiting for its answer, without N blocked threads and
 * their wake-ups competing with the server for the CPUs. Loopback only; bounded by a deadline,
 * by {@link LoadLoop#MAX_OPERATIONS} and by a stall timeout.
 */
final class EventLoopHttp {
    private static final long STALL_NANOS = Duration.ofSeconds(10).toNanos();
    private static final byte[] CONTENT_LENGTH = "content-length:".getBytes(StandardCharsets.US_ASCII);

    /** Makes requests for one loop thread and checks their answers. */
    interface Client {
        /** The next request, head and body, as bytes to send. */
        byte[] next();

        /** Checks one answer; throws to fail the run. */
        void answered(int status, byte[] body, int offset, int length);
    }

    private EventLoopHttp() {
    }

    /**
     * Runs {@code connections} connections to {@code port} on {@code threads} loops until the
     * deadline; requests per second over all. {@code clients} gives each loop thread its own
     * client (they run concurrently).
     */
    static double run(int port, int connections, int threads, Duration duration, Supplier<Client> clients)
            throws Exception {
        AtomicLong done = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long start = System.nanoTime();
        long deadline = start + duration.toNanos();
        List<Thread> loops = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int mine = connections / threads + (t < connections % threads ? 1 : 0);
            Client client = clients.get();
            loops.add(Thread.ofPlatform().name("http-load-" + t).start(() -> {
                try {
                    loop(port, mine, client, deadline, done);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        for (Thread t : loops) {
            t.join();
        }
        long elapsed = System.nanoTime() - start;
        if (failure.get() != null) {
            throw new IllegalStateException("the HTTP load failed", failure.get());
        }
        return done.get() * 1e9 / elapsed;
    }

    /** One connection's state: the request being written, the answer being read. */
    private static final class Connection {
        final SocketChannel channel;
        ByteBuffer out;
        ByteBuffer in = ByteBuffer.allocate(16 * 1024);

        Connection(SocketChannel channel) {
            this.channel = channel;
        }
    }

    private static void loop(int port, int count, Client client, long deadline, AtomicLong done) throws IOException {
        try (Selector selector = Selector.open()) {
            List<Connection> all = new ArrayList<>();
            try {
                for (int i = 0; i < count; i++) {
                    SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
                    ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    ch.configureBlocking(false);
                    Connection c = new Connection(ch);
                    all.add(c);
                    c.out = ByteBuffer.wrap(client.next());
                    ch.register(selector, SelectionKey.OP_WRITE, c);
                }
                int open = count;
                long lastProgress = System.nanoTime();
                while (open > 0) {
                    selector.select(100);
                    long now = System.nanoTime();
                    if (now - lastProgress > STALL_NANOS) {
                        throw new IOException("no answer for " + Duration.ofNanos(STALL_NANOS).toSeconds() + " s");
                    }
                    for (SelectionKey key : selector.selectedKeys()) {
                        Connection c = (Connection) key.attachment();
                        if (key.isWritable()) {
                            c.channel.write(c.out);
                            if (!c.out.hasRemaining()) {
                                key.interestOps(SelectionKey.OP_READ);
                            }
                        } else if (key.isReadable()) {
                            if (c.channel.read(c.in) < 0) {
                                throw new IOException("the server closed a connection");
                            }
                            if (answered(c, client)) {
                                lastProgress = now;
                                if (System.nanoTime() >= deadline || done.incrementAndGet() >= LoadLoop.MAX_OPERATIONS) {
                                    key.cancel();
                                    open--;
                                    continue;
                                }
                                c.out = ByteBuffer.wrap(client.next());
                                c.channel.write(c.out);
                                key.interestOps(c.out.hasRemaining() ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
                            }
                        }
                    }
                    selector.selectedKeys().clear();
                }
            } finally {
                for (Connection c : all) {
                    c.channel.close();
                }
            }
        }
    }

    /** Whether the buffer holds a whole answer; if so hands it to the client and clears it. */
    private static boolean answered(Connection c, Client client) throws IOException {
        ByteBuffer in = c.in;
        byte[] b = in.array();
        int end = in.position();
        int headEnd = -1;
        for (int i = 0; i + 3 < end; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') {
                headEnd = i + 4;
                break;
            }
        }
        if (headEnd < 0) {
            grow(c);
            return false;
        }
        if (headEnd < 12 || b[8] != ' ') {
            throw new IOException("not an HTTP response");
        }
        int status = (b[9] - '0') * 100 + (b[10] - '0') * 10 + (b[11] - '0');
        int length = contentLength(b, 0, headEnd);
        if (end < headEnd + length) {
            grow(c);
            return false;
        }
        if (end > headEnd + length) {
            throw new IOException("bytes after the answer: the server answered a request not sent");
        }
        client.answered(status, b, headEnd, length);
        in.clear();
        return true;
    }

    private static void grow(Connection c) {
        if (!c.in.hasRemaining()) {
            ByteBuffer bigger = ByteBuffer.allocate(c.in.capacity() * 2);
            c.in.flip();
            bigger.put(c.in);
            c.in = bigger;
        }
    }

    /** The Content-Length of the response head in {@code b[from, headEnd)}, 0 if there is none. */
    static int contentLength(byte[] b, int from, int headEnd) {
        int length = 0;
        for (int line = from; line < headEnd; ) {
            int eol = line;
            while (eol < headEnd && b[eol] != '\n') {
                eol++;
            }
            if (startsWithIgnoreCase(b, line, eol, CONTENT_LENGTH)) {
                length = Integer.parseInt(new String(b, line + CONTENT_LENGTH.length,
                        eol - line - CONTENT_LENGTH.length, StandardCharsets.US_ASCII).trim());
            }
            line = eol + 1;
        }
        return length;
    }

    private static boolean startsWithIgnoreCase(byte[] b, int from, int to, byte[] prefix) {
        if (to - from < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            int ch = b[from + i];
            if (ch >= 'A' && ch <= 'Z') {
                ch += 'a' - 'A';
            }
            if (ch != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** A request's bytes: head and body in one array. */
    static byte[] request(String method, String path, String host, String authorization, String body) {
        byte[] payload = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        byte[] head = (method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: " + authorization
                + "\r\nContent-Type: application/json\r\nContent-Length: " + payload.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] request = new byte[head.length + payload.length];
        System.arraycopy(head, 0, request, 0, head.length);
        System.arraycopy(payload, 0, request, head.length, payload.length);
        return request;
    }
}
