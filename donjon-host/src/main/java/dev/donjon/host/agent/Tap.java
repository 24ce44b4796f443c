package dev.donjon.host.agent;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Sees every byte the agent receives or sends, on every channel (client HTTP bodies, Keep process pipes). For
 * audits and for the test that proves the host learns nothing; {@link #NONE} in production.
 */
public interface Tap {

    enum Channel {
        CLIENT_IN,
        CLIENT_OUT,
        KEEP_IN,
        KEEP_OUT,
        KEEP_ERR
    }

    void record(Channel channel, byte[] bytes, int offset, int length);

    Tap NONE = (c, b, o, l) -> {};

    default InputStream tap(Channel channel, InputStream in) {
        if (this == NONE) return in;
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) record(channel, new byte[] {(byte) b}, 0, 1);
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) record(channel, b, off, n);
                return n;
            }
        };
    }

    default OutputStream tap(Channel channel, OutputStream out) {
        if (this == NONE) return out;
        return new FilterOutputStream(out) {
            @Override
            public void write(int b) throws IOException {
                record(channel, new byte[] {(byte) b}, 0, 1);
                out.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                record(channel, b, off, len);
                out.write(b, off, len);
            }
        };
    }
}
