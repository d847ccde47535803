package dev.swan.toolkit.model;

import dev.swan.api.ModelFormatException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of a SentencePiece {@code tokenizer.model} (protobuf ModelProto) that converters and
 * tokenizers read: pieces with score and type (field 1: piece=1, score=2, type=3; types 1 normal,
 * 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte) and normalizer_spec.add_dummy_prefix (field 3.3).
 *
 * @param pieces         the vocabulary, by id
 * @param addDummyPrefix whether a space is put before the text
 */
public record SentencePieceModel(List<Piece> pieces, boolean addDummyPrefix) {
    public record Piece(String text, float score, int type) {
    }

    public SentencePieceModel {
        pieces = List.copyOf(pieces);
    }

    public static SentencePieceModel read(Path file) throws IOException {
        byte[] b = dev.swan.toolkit.io.InputFiles.readBytes(file, dev.swan.toolkit.io.InputFiles.MAX_TEXT_BYTES);
        List<Piece> pieces = new ArrayList<>();
        boolean addDummyPrefix = true;
        try {
            Proto p = new Proto(b, 0, b.length);
            while (p.more()) {
                int tag = p.varint32();
                int field = tag >>> 3;
                int wire = tag & 7;
                if (field == 1 && wire == 2) {
                    Proto s = p.sub();
                    String text = "";
                    float score = 0;
                    int type = 1;
                    while (s.more()) {
                        int t = s.varint32();
                        if ((t >>> 3) == 1 && (t & 7) == 2) text = s.string();
                        else if ((t >>> 3) == 2 && (t & 7) == 5) score = Float.intBitsToFloat(s.fixed32());
                        else if ((t >>> 3) == 3 && (t & 7) == 0) type = (int) s.varint();
                        else s.skip(t & 7);
                    }
                    pieces.add(new Piece(text, score, type));
                } else if (field == 3 && wire == 2) {
                    Proto n = p.sub();
                    while (n.more()) {
                        int t = n.varint32();
                        if ((t >>> 3) == 3 && (t & 7) == 0) addDummyPrefix = n.varint() != 0;
                        else n.skip(t & 7);
                    }
                } else {
                    p.skip(wire);
                }
            }
        } catch (RuntimeException e) {
            throw new ModelFormatException(file, null, "not a readable SentencePiece model: " + e.getMessage());
        }
        if (pieces.isEmpty()) throw new ModelFormatException(file, null, "SentencePiece model without pieces");
        return new SentencePieceModel(pieces, addDummyPrefix);
    }

    /**
     * The model as a {@code tokenizer.model} SentencePiece and transformers load: the pieces, a BPE trainer spec
     * with the special ids and byte fallback when byte pieces are present, and an identity normalizer that
     * escapes whitespace (and puts the dummy prefix first when {@link #addDummyPrefix}).
     */
    public byte[] toBytes(int unkId, int bosId, int eosId, int padId) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        boolean bytes = false;
        for (Piece p : pieces) {
            java.io.ByteArrayOutputStream piece = new java.io.ByteArrayOutputStream();
            bytesField(piece, 1, p.text().getBytes(StandardCharsets.UTF_8));
            tag(piece, 2, 5);
            int f = Float.floatToIntBits(p.score());
            for (int i = 0; i < 4; i++) piece.write(f >>> (8 * i));
            if (p.type() != 1) varintField(piece, 3, p.type());
            bytesField(out, 1, piece.toByteArray());
            bytes |= p.type() == 6;
        }
        java.io.ByteArrayOutputStream trainer = new java.io.ByteArrayOutputStream();
        varintField(trainer, 3, 2); // BPE
        varintField(trainer, 4, pieces.size());
        if (bytes) varintField(trainer, 35, 1);
        varintField(trainer, 40, unkId);
        varintField(trainer, 41, bosId);
        varintField(trainer, 42, eosId);
        varintField(trainer, 43, padId);
        bytesField(out, 2, trainer.toByteArray());
        java.io.ByteArrayOutputStream normalizer = new java.io.ByteArrayOutputStream();
        bytesField(normalizer, 1, "identity".getBytes(StandardCharsets.UTF_8));
        varintField(normalizer, 3, addDummyPrefix ? 1 : 0);
        varintField(normalizer, 4, 0);
        varintField(normalizer, 5, 1);
        bytesField(out, 3, normalizer.toByteArray());
        return out.toByteArray();
    }

    private static void tag(java.io.ByteArrayOutputStream o, int field, int wire) {
        varint(o, (long) field << 3 | wire);
    }

    private static void varintField(java.io.ByteArrayOutputStream o, int field, long v) {
        tag(o, field, 0);
        varint(o, v);
    }

    private static void bytesField(java.io.ByteArrayOutputStream o, int field, byte[] b) {
        tag(o, field, 2);
        varint(o, b.length);
        o.writeBytes(b);
    }

    /** Negative ids are written as protobuf writes an int32: ten bytes of two's complement. */
    private static void varint(java.io.ByteArrayOutputStream o, long v) {
        while ((v & ~0x7fL) != 0) {
            o.write((int) (v & 0x7f) | 0x80);
            v >>>= 7;
        }
        o.write((int) v);
    }

    /** A minimal protobuf wire-format reader. */
    private static final class Proto {
        private final byte[] b;
        private int pos;
        private final int end;

        Proto(byte[] b, int from, int to) {
            this.b = b;
            this.pos = from;
            this.end = to;
        }

        boolean more() {
            return pos < end;
        }

        long varint() {
            long v = 0;
            int shift = 0;
            while (true) {
                if (pos >= end) throw new IllegalStateException("truncated varint");
                int x = b[pos++];
                v |= (long) (x & 0x7f) << shift;
                if ((x & 0x80) == 0) return v;
                shift += 7;
                if (shift > 63) throw new IllegalStateException("bad varint");
            }
        }

        int varint32() {
            return (int) varint();
        }

        int fixed32() {
            if (pos + 4 > end) throw new IllegalStateException("truncated fixed32");
            int v = (b[pos] & 0xff) | (b[pos + 1] & 0xff) << 8 | (b[pos + 2] & 0xff) << 16 | (b[pos + 3] & 0xff) << 24;
            pos += 4;
            return v;
        }

        Proto sub() {
            int len = varint32();
            if (len < 0 || pos + len > end) throw new IllegalStateException("bad length");
            Proto p = new Proto(b, pos, pos + len);
            pos += len;
            return p;
        }

        String string() {
            Proto s = sub();
            return new String(b, s.pos, s.end - s.pos, StandardCharsets.UTF_8);
        }

        void skip(int wire) {
            switch (wire) {
                case 0: varint(); break;
                case 1: pos += 8; break;
                case 2: sub(); break;
                case 5: pos += 4; break;
                default: throw new IllegalStateException("unsupported wire type " + wire);
            }
        }
    }
}
