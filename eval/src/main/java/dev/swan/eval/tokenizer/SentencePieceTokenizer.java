package dev.swan.eval.tokenizer;

import dev.swan.eval.EvalException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * llama.cpp's SentencePiece tokenizer (vocabulary type SPM): a space before the text, spaces as U+2581,
 * then adjacent symbols merged while any pair's concatenation is a token, the highest-scoring pair first
 * (ties: leftmost); what no token covers falls back to byte tokens {@code <0xXX>}.
 */
final class SentencePieceTokenizer implements Tokenizer {
    private final Map<String, Integer> ids = new HashMap<>();
    private final String[] text;
    private final int[] types;
    private final float[] scores;
    private final int vocabSize;
    private final int bos;
    private final boolean addBos;
    private final boolean addSpacePrefix;
    private final UserDefinedSplitter splitter;
    private final Map<String, Integer> control = new HashMap<>();
    private final String origin;

    SentencePieceTokenizer(List<String> tokens, List<Float> scores, List<Integer> types, int bos, boolean addBos,
                           boolean addSpacePrefix, String origin) {
        this.vocabSize = tokens.size();
        this.scores = new float[vocabSize];
        this.text = tokens.toArray(new String[0]);
        this.types = new int[vocabSize];
        Map<String, Integer> userDefined = new HashMap<>();
        for (int i = 0; i < vocabSize; i++) {
            ids.put(tokens.get(i), i); // as llama.cpp's map: a repeated text keeps its last id
            this.scores[i] = i < scores.size() ? scores.get(i) : 0f;
            this.types[i] = i < types.size() ? types.get(i) : dev.swan.api.Vocabulary.NORMAL;
            if (i < types.size() && types.get(i) == dev.swan.api.Vocabulary.USER_DEFINED) userDefined.put(tokens.get(i), i);
            if (i < types.size() && types.get(i) == dev.swan.api.Vocabulary.CONTROL) control.put(tokens.get(i), i);
        }
        this.bos = bos;
        this.addBos = addBos && bos >= 0;
        this.addSpacePrefix = addSpacePrefix;
        this.splitter = new UserDefinedSplitter(userDefined);
        this.origin = origin;
    }

    @Override
    public Map<String, Integer> controlTokens() {
        return java.util.Collections.unmodifiableMap(control);
    }

    @Override
    public int[] encode(String text) {
        List<Integer> out = new ArrayList<>();
        boolean prevSpecial = true;
        if (addBos) out.add(bos);
        for (UserDefinedSplitter.Fragment f : splitter.split(text)) {
            if (f.text() == null) {
                out.add(f.token());
                prevSpecial = true;
                continue;
            }
            if (f.text().isEmpty()) continue; // llama.cpp partitions no fragment from empty text: no space prefix
            String s = (addSpacePrefix && prevSpecial ? " " : "") + f.text();
            tokenize(s.replace(' ', '\u2581'), out);
            prevSpecial = false;
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private record Bigram(int left, int right, float score, int size) {
    }

    private void tokenize(String text, List<Integer> out) {
        int n = text.codePointCount(0, text.length());
        String[] sym = new String[n];
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0, at = 0; i < n; i++) {
            int end = text.offsetByCodePoints(at, 1);
            sym[i] = text.substring(at, end);
            at = end;
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        PriorityQueue<Bigram> queue = new PriorityQueue<>((a, b) -> a.score != b.score
                ? Float.compare(b.score, a.score) : Integer.compare(a.left, b.left));
        for (int i = 1; i < n; i++) addBigram(i - 1, i, sym, queue);
        while (!queue.isEmpty()) {
            Bigram b = queue.poll();
            String l = sym[b.left];
            String r = sym[b.right];
            // a pair whose symbols changed since it was queued is stale (llama.cpp compares the lengths)
            if (l.isEmpty() || r.isEmpty() || l.length() + r.length() != b.size) continue;
            sym[b.left] = l + r;
            sym[b.right] = "";
            next[b.left] = next[b.right];
            if (next[b.right] >= 0) prev[next[b.right]] = b.left;
            addBigram(prev[b.left], b.left, sym, queue);
            addBigram(b.left, next[b.left], sym, queue);
        }
        for (int i = 0; i != -1 && n > 0; i = next[i]) emit(sym[i], out);
    }

    private void addBigram(int left, int right, String[] sym, PriorityQueue<Bigram> queue) {
        if (left < 0 || right < 0) return;
        String text = sym[left] + sym[right];
        Integer id = ids.get(text);
        if (id == null) return;
        queue.add(new Bigram(left, right, scores[id], text.length()));
    }

    /**
     * A final symbol is a token, or a single character no token holds (only tokens are ever merged), which
     * becomes its UTF-8 bytes: llama.cpp's resegment reduces to this.
     */
    private void emit(String text, List<Integer> out) {
        Integer id = ids.get(text);
        if (id != null) {
            out.add(id);
            return;
        }
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) out.add(byteToken(b & 0xff, text));
    }

    private int byteToken(int b, String text) {
        Integer id = ids.get(String.format("<0x%02X>", b));
        if (id == null) id = ids.get(String.valueOf((char) b));
        if (id == null) {
            throw new EvalException("the " + origin + " vocabulary cannot encode " + EvalException.quoted(text.replace('\u2581', ' '))
                    + " (no token and no byte token <0x" + String.format("%02X", b) + ">)");
        }
        return id;
    }

    @Override
    public String decode(int[] tokens) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int id : tokens) {
            if (types[id] == dev.swan.api.Vocabulary.CONTROL || types[id] == dev.swan.api.Vocabulary.UNKNOWN) continue;
            String t = text[id];
            if (types[id] == dev.swan.api.Vocabulary.BYTE || t.matches("<0x[0-9A-F]{2}>")) {
                out.write(Integer.parseInt(t.substring(3, 5), 16));
            } else {
                out.writeBytes(t.replace('\u2581', ' ').getBytes(StandardCharsets.UTF_8));
            }
        }
        String s = out.toString(StandardCharsets.UTF_8);
        return addSpacePrefix && s.startsWith(" ") ? s.substring(1) : s;
    }

    @Override
    public int bos() {
        return bos;
    }

    @Override
    public boolean addsBos() {
        return addBos;
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public String describe() {
        return "sentencepiece (" + origin + ")";
    }
}
