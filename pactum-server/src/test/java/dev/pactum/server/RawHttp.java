package dev.pactum.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * HTTP/1.1 over a plain socket, for requests no HTTP client would send (bad escapes, bad encodings, a lying
 * Content-Length, garbage). One request per connection; the answer is read as far as the server sends it.
 */
final class RawHttp {
    /** How long a test waits for one answer; the server answers in milliseconds, this only bounds a hang. */
    static final int READ_TIMEOUT_MS = 10_000;

    /**
     * An answer; {@code status} is 0 when the server closed the connection (or sent nothing within the timeout)
     * without an answer, {@code timedOut} says which.
     */
    record Answer(int status, Map<String, String> headers, byte[] body, boolean timedOut) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private RawHttp() {
    }

    static Answer exchange(int port, byte[] request) throws IOException {
        return exchange(port, request, true);
    }

    /** Sends {@code request}; with {@code halfClose} the output is shut afterwards, so a short body ends at EOF. */
    static Answer exchange(int port, byte[] request, boolean halfClose) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), READ_TIMEOUT_MS);
            if (s.getLocalPort() == port) {
                // TCP simultaneous open: with nothing listening on an ephemeral port, a connect can pick that very
                // port as its source and talk to itself, "answering" with our own request. Say so plainly.
                throw new IOException("connected to itself on port " + port + ": nothing was listening there");
            }
            s.setSoTimeout(READ_TIMEOUT_MS);
            try {
                s.getOutputStream().write(request);
                s.getOutputStream().flush();
                if (halfClose) {
                    s.shutdownOutput();
                }
            } catch (IOException refusedMidway) {
                // the server may answer and close before it has read everything: read what it said
            }
            return read(s.getInputStream());
        }
    }

    static byte[] request(String method, String target, String headers, byte[] body) {
        String head = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers
                + (body == null ? "" : "Content-Length: " + body.length + "\r\n") + "Connection: close\r\n\r\n";
        byte[] h = head.getBytes(StandardCharsets.ISO_8859_1);
        if (body == null) {
            return h;
        }
        byte[] all = new byte[h.length + body.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(body, 0, all, h.length, body.length);
        return all;
    }

    private static Answer read(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        try {
            int state = 0; // matched bytes of CR LF CR LF
            int b;
            while (state < 4 && (b = in.read()) != -1) {
                head.write(b);
                state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3))
                        ? state + 1 : (b == '\r' ? 1 : 0);
            }
            if (state < 4) {
                return new Answer(0, Map.of(), head.toByteArray(), false);
            }
            String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
            String[] statusLine = lines[0].split(" ");
            if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/") || !statusLine[1].matches("[0-9]{3}")) {
                throw new IOException("not an HTTP answer: '" + head.toString(StandardCharsets.ISO_8859_1) + "'");
            }
            int status = Integer.parseInt(statusLine[1]);
            Map<String, String> headers = new TreeMap<>();
            for (int i = 1; i < lines.length; i++) {
                int c = lines[i].indexOf(':');
                if (c > 0) {
                    headers.put(lines[i].substring(0, c).trim().toLowerCase(Locale.ROOT), lines[i].substring(c + 1).trim());
                }
            }
            byte[] body;
            String length = headers.get("content-length");
            if (length != null) {
                body = in.readNBytes(Integer.parseInt(length));
            } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                body = dechunk(in);
            } else {
                body = in.readAllBytes();
            }
            return new Answer(status, headers, body, false);
        } catch (SocketTimeoutException e) {
            return new Answer(0, Map.of(), head.toByteArray(), true);
        }
    }

    private static byte[] dechunk(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            StringBuilder line = new StringBuilder();
            int b;
            while ((b = in.read()) != -1 && b != '\n') {
                if (b != '\r') {
                    line.append((char) b);
                }
            }
            int size = Integer.parseInt(line.toString().split(";")[0].trim(), 16);
            if (size == 0) {
                return out.toByteArray();
            }
            out.write(in.readNBytes(size));
            in.read();
            in.read(); // CR LF after the chunk
        }
    }
}
