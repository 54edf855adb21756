package dev.pactum.client.wire;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The frames of the coordinator's wire protocol (docs/wire.md), shared by the SDK's client and the coordinator's
 * server so that both read and write the same bytes. Pure: byte arrays and buffers in, records or
 * {@link WireException} out; no I/O.
 *
 * <pre>
 *   hello (each side, once, first):  "PACTUMW" version:u8
 *   request frame:  length:i32 id:i32 method:u8 flags:u8 pathLength:u16 path:utf8 body
 *   answer frame:   length:i32 id:i32 status:u16 flags:u8 allowLength:u16 allow:ascii body
 * </pre>
 *
 * Integers are big-endian; {@code length} counts the bytes after itself. A request's id is chosen by the client,
 * unique among its requests in flight on that connection, never 0; the answer carries it back, answers come in any
 * order. An answer with id 0 is about the connection (a frame the server could not delimit): the server closes after
 * it.
 */
public final class WireFormat {
    /** Protocol version 1; a peer of another version gets the other's hello and a close. */
    public static final int VERSION = 1;
    private static final byte[] MAGIC = "PACTUMW".getBytes(StandardCharsets.US_ASCII);
    public static final int HELLO_BYTES = MAGIC.length + 1;
    public static final int METHOD_GET = 1;
    public static final int METHOD_POST = 2;
    /** Request flag: answer a transaction or branch minimally (HTTP's {@code Prefer: return=minimal}). */
    public static final int FLAG_PREFER_MINIMAL = 1;
    /** Answer flag: the body is the minimal one that was asked for. */
    public static final int FLAG_MINIMAL = 1;
    /** Answer flag: the body is Prometheus text, not JSON. */
    public static final int FLAG_TEXT = 2;
    /** Bytes of a request frame before its path, after the length. */
    public static final int REQUEST_HEADER = 8;
    /** Bytes of an answer frame before its Allow, after the length. */
    public static final int ANSWER_HEADER = 9;
    /** The longest path with its query, as most HTTP servers' request line limit. */
    public static final int MAX_PATH = 8192;
    /** Answers larger than this are refused by the client: nothing the API answers comes near. */
    public static final int MAX_ANSWER_FRAME = 64 * 1024 * 1024;

    private WireFormat() {
    }

    /** One request as the server reads it. */
    public record Request(int id, String method, String path, String query, boolean preferMinimal, byte[] body) {
    }

    /** One answer as the client reads it. */
    public record Answer(int id, int status, boolean minimal, boolean text, String allow, byte[] body) {
    }

    /** This side's hello. */
    public static byte[] hello() {
        byte[] h = Arrays.copyOf(MAGIC, HELLO_BYTES);
        h[MAGIC.length] = (byte) VERSION;
        return h;
    }

    /** Whether {@code b} can still be the {@code i}-th byte of a hello (the magic first, then any version). */
    public static boolean helloByteFits(int i, byte b) {
        return i >= MAGIC.length || MAGIC[i] == b;
    }

    /** The version of a complete hello, or -1 when it is not one. */
    public static int versionOf(byte[] hello) {
        if (hello.length != HELLO_BYTES) {
            return -1;
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (hello[i] != MAGIC[i]) {
                return -1;
            }
        }
        return hello[MAGIC.length] & 0xff;
    }

    /** The largest request frame a server with this body limit accepts (the length field's value). */
    public static int maxRequestFrame(int maxBodyBytes) {
        return REQUEST_HEADER + MAX_PATH + maxBodyBytes;
    }

    /** A whole request frame, its length first. {@code pathAndQuery} is the path with an optional "?query". */
    public static byte[] request(int id, String method, String pathAndQuery, boolean preferMinimal, byte[] body) {
        if (id == 0) {
            throw new IllegalArgumentException("request id 0 is reserved for the connection");
        }
        int m = switch (method) {
            case "GET" -> METHOD_GET;
            case "POST" -> METHOD_POST;
            default -> throw new IllegalArgumentException("the wire protocol has GET and POST only, not " + method);
        };
        byte[] path = pathAndQuery.getBytes(StandardCharsets.UTF_8);
        if (path.length > MAX_PATH) {
            throw new IllegalArgumentException("path of " + path.length + " bytes exceeds " + MAX_PATH);
        }
        byte[] b = body == null ? new byte[0] : body;
        ByteBuffer f = ByteBuffer.allocate(4 + REQUEST_HEADER + path.length + b.length);
        f.putInt(REQUEST_HEADER + path.length + b.length).putInt(id).put((byte) m)
                .put((byte) (preferMinimal ? FLAG_PREFER_MINIMAL : 0)).putShort((short) path.length).put(path).put(b);
        return f.array();
    }

    /**
     * Reads one request frame's content (the {@code length} bytes after the length field). A frame that is
     * delimited but malformed throws {@link WireException} with its id (0 if not even that could be read).
     */
    public static Request readRequest(ByteBuffer frame) {
        int id = 0;
        try {
            id = frame.getInt();
            if (id == 0) {
                throw new WireException(0, "request id 0 is reserved");
            }
            int m = frame.get() & 0xff;
            String method = switch (m) {
                case METHOD_GET -> "GET";
                case METHOD_POST -> "POST";
                default -> throw new WireException(id, "unknown method code " + m);
            };
            int flags = frame.get() & 0xff;
            if ((flags & ~FLAG_PREFER_MINIMAL) != 0) {
                throw new WireException(id, "unknown request flags " + flags);
            }
            int pathLength = frame.getShort() & 0xffff;
            if (pathLength == 0 || pathLength > MAX_PATH || pathLength > frame.remaining()) {
                throw new WireException(id, "path length " + pathLength + " does not fit (1.." + MAX_PATH
                        + ", " + frame.remaining() + " bytes left in the frame)");
            }
            byte[] p = new byte[pathLength];
            frame.get(p);
            String full = utf8(id, p);
            if (full.charAt(0) != '/') {
                throw new WireException(id, "the path must start with '/'");
            }
            int q = full.indexOf('?');
            byte[] body = new byte[frame.remaining()];
            frame.get(body);
            if (m == METHOD_GET && body.length > 0) {
                throw new WireException(id, "a GET carries no body");
            }
            return new Request(id, method, q < 0 ? full : full.substring(0, q), q < 0 ? null : full.substring(q + 1),
                    (flags & FLAG_PREFER_MINIMAL) != 0, body);
        } catch (BufferUnderflowException e) {
            throw new WireException(id, "request frame shorter than its header");
        }
    }

    /** A whole answer frame, its length first. */
    public static byte[] answer(int id, int status, boolean minimal, boolean text, String allow, byte[] body) {
        byte[] a = allow == null ? new byte[0] : allow.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer f = ByteBuffer.allocate(4 + ANSWER_HEADER + a.length + body.length);
        f.putInt(ANSWER_HEADER + a.length + body.length).putInt(id).putShort((short) status)
                .put((byte) ((minimal ? FLAG_MINIMAL : 0) | (text ? FLAG_TEXT : 0))).putShort((short) a.length)
                .put(a).put(body);
        return f.array();
    }

    /** Reads one answer frame's content (the {@code length} bytes after the length field). */
    public static Answer readAnswer(ByteBuffer frame) {
        int id = 0;
        try {
            id = frame.getInt();
            int status = frame.getShort() & 0xffff;
            int flags = frame.get() & 0xff;
            int allowLength = frame.getShort() & 0xffff;
            if (status < 100 || status > 599 || allowLength > frame.remaining()) {
                throw new WireException(id, "malformed answer header (status " + status + ", allow length "
                        + allowLength + ")");
            }
            byte[] a = new byte[allowLength];
            frame.get(a);
            byte[] body = new byte[frame.remaining()];
            frame.get(body);
            return new Answer(id, status, (flags & FLAG_MINIMAL) != 0, (flags & FLAG_TEXT) != 0,
                    allowLength == 0 ? null : new String(a, StandardCharsets.US_ASCII), body);
        } catch (BufferUnderflowException e) {
            throw new WireException(id, "answer frame shorter than its header");
        }
    }

    private static String utf8(int id, byte[] b) {
        try {
            CharBuffer c = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b));
            return c.toString();
        } catch (CharacterCodingException e) {
            throw new WireException(id, "the path is not UTF-8");
        }
    }
}
