package dev.nimbus.core.codec;

import java.util.Arrays;

/** A growable byte buffer for building encodings without intermediate copies. */
public final class ByteSink {
    private byte[] buf;
    private int size;

    public ByteSink(int initialCapacity) {
        buf = new byte[Math.max(8, initialCapacity)];
    }

    public void put(int b) {
        ensure(1);
        buf[size++] = (byte) b;
    }

    public void put(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, size, bytes.length);
        size += bytes.length;
    }

    public void putInt(int v) {
        ensure(4);
        for (int shift = 24; shift >= 0; shift -= 8) {
            buf[size++] = (byte) (v >>> shift);
        }
    }

    public void putLong(long v) {
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buf[size++] = (byte) (v >>> shift);
        }
    }

    /** Flips every bit in [from, to): reverses the order of what was written there. */
    void complement(int from, int to) {
        for (int i = from; i < to; i++) {
            buf[i] = (byte) ~buf[i];
        }
    }

    public int size() {
        return size;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }

    private void ensure(int more) {
        if (size + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
        }
    }
}
