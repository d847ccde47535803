package dev.swan.eval.tokenizer;

import dev.swan.eval.EvalException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Merge-rank BPE as Hugging Face tokenizers and llama.cpp's BPE vocabularies run it: the text is
 * normalized and cut into words, each word starts as single symbols and the adjacent pair with the lowest
 * merge rank is merged until none is left (ties: leftmost). Two alphabets: SentencePiece-style (characters,
 * unknown ones as byte tokens {@code <0xXX>}) and byte-level (every UTF-8 byte as GPT-2's printable stand-in).
 */
final class BpeTokenizer implements Tokenizer {
    enum Alphabet { CHARACTERS, BYTE_LEVEL }

    private final Map<String, Integer> vocab;
    private final Map<String, Integer> ranks = new HashMap<>();
    private final Alphabet alphabet;
    private final Function<String, String> normalizer;
    private final Function<String, List<String>> preTokenizer;
    private final boolean byteFallback;
    private final int unk;
    private final boolean ignoreMerges;
    private final int bos;
    private final boolean addBos;
    private final int vocabSize;
    private final UserDefinedSplitter splitter;
    private final String origin;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();
    private final String[] byId;
    private final java.util.Set<Integer> special = new java.util.HashSet<>();
    private final Map<String, Integer> control;

    /** @param merges pairs in rank order, each {@code [left, right]} */
    BpeTokenizer(Map<String, Integer> vocab, List<String[]> merges, Alphabet alphabet, Function<String, String> normalizer,
                 Function<String, List<String>> preTokenizer, boolean byteFallback, int unk, boolean ignoreMerges,
                 int bos, boolean addBos, Map<String, Integer> userDefined, Map<String, Integer> control, String origin) {
        this.vocab = Map.copyOf(vocab);
        for (int r = 0; r < merges.size(); r++) ranks.putIfAbsent(key(merges.get(r)[0], merges.get(r)[1]), r);
        this.alphabet = alphabet;
        this.normalizer = normalizer;
        this.preTokenizer = preTokenizer;
        this.byteFallback = byteFallback;
        this.unk = unk;
        this.ignoreMerges = ignoreMerges;
        this.bos = bos;
        this.addBos = addBos && bos >= 0;
        int max = -1;
        for (int id : vocab.values()) max = Math.max(max, id);
        for (int id : userDefined.values()) max = Math.max(max, id);
        this.vocabSize = max + 1;
        this.byId = new String[vocabSize];
        vocab.forEach((t, id) -> byId[id] = t);
        userDefined.forEach((t, id) -> byId[id] = t);
        if (bos >= 0) special.add(bos);
        this.splitter = new UserDefinedSplitter(userDefined);
        this.origin = origin;
        this.control = Map.copyOf(control);
        special.addAll(control.values());
    }

    @Override
    public Map<String, Integer> controlTokens() {
        return control;
    }

    private static String key(String a, String b) {
        return a + '\u0000' + b;
    }

    @Override
    public int[] encode(String text) {
        List<Integer> out = new ArrayList<>();
        if (addBos) out.add(bos);
        for (UserDefinedSplitter.Fragment f : splitter.split(text)) {
            if (f.text() == null) {
                out.add(f.token());
                continue;
            }
            for (String word : preTokenizer.apply(normalizer.apply(f.text()))) {
                for (int id : cache.computeIfAbsent(word, this::word)) out.add(id);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** A queued merge of the symbols {@code a} at {@code left} and {@code b} after it. */
    private record Merge(int left, int rank, String a, String b) {
    }

    private int[] word(String word) {
        List<String> init = alphabet == Alphabet.BYTE_LEVEL ? byteLevelSymbols(word) : characterSymbols(word);
        if (ignoreMerges && vocab.containsKey(String.join("", init))) return new int[] {vocab.get(String.join("", init))};
        int n = init.size();
        String[] sym = init.toArray(new String[0]);
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0; i < n; i++) {
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        PriorityQueue<Merge> queue = new PriorityQueue<>((a, b) -> a.rank != b.rank
                ? Integer.compare(a.rank, b.rank) : Integer.compare(a.left, b.left));
        for (int i = 0; i + 1 < n; i++) queue(i, i + 1, sym, queue);
        while (!queue.isEmpty()) {
            Merge m = queue.poll();
            int r = next[m.left];
            // stale: the pair's symbols changed since it was queued
            if (r < 0 || !m.a.equals(sym[m.left]) || !m.b.equals(sym[r])) continue;
            sym[m.left] = sym[m.left] + sym[r];
            sym[r] = null;
            next[m.left] = next[r];
            if (next[r] >= 0) prev[next[r]] = m.left;
            if (prev[m.left] >= 0) queue(prev[m.left], m.left, sym, queue);
            if (next[m.left] >= 0) queue(m.left, next[m.left], sym, queue);
        }
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i != -1 && n > 0; i = next[i]) {
            Integer id = vocab.get(sym[i]);
            if (id == null) {
                if (unk < 0) throw cannotEncode(sym[i]);
                if (ids.isEmpty() || ids.get(ids.size() - 1) != unk) ids.add(unk); // consecutive unknowns fuse
                continue;
            }
            ids.add(id);
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    private void queue(int left, int right, String[] sym, PriorityQueue<Merge> queue) {
        Integer rank = ranks.get(key(sym[left], sym[right]));
        if (rank != null) queue.add(new Merge(left, rank, sym[left], sym[right]));
    }

    /** Characters; one the vocabulary lacks becomes its byte tokens (byte fallback) or stays unknown. */
    private List<String> characterSymbols(String word) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < word.length(); ) {
            int end = word.offsetByCodePoints(i, 1);
            String c = word.substring(i, end);
            i = end;
            if (vocab.containsKey(c) || !byteFallback) {
                out.add(c);
                continue;
            }
            for (byte b : c.getBytes(StandardCharsets.UTF_8)) {
                String t = String.format("<0x%02X>", b & 0xff);
                if (!vocab.containsKey(t)) {
                    if (unk < 0) throw cannotEncode(c);
                    out.add(c);
                    break;
                }
                out.add(t);
            }
        }
        return out;
    }

    private static List<String> byteLevelSymbols(String word) {
        List<String> out = new ArrayList<>();
        for (byte b : word.getBytes(StandardCharsets.UTF_8)) out.add(String.valueOf((char) ByteLevel.toUnicode(b & 0xff)));
        return out;
    }

    private EvalException cannotEncode(String s) {
        String shown = alphabet == Alphabet.BYTE_LEVEL ? ByteLevel.decode(s) : s.replace('\u2581', ' ');
        return new EvalException("the " + origin + " vocabulary cannot encode " + EvalException.quoted(shown)
                + " (no token, no byte fallback and no unknown token)");
    }

    @Override
    public String decode(int[] ids) {
        StringBuilder symbols = new StringBuilder();
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        for (int id : ids) {
            if (special.contains(id) || id == unk || byId[id] == null) continue;
            String t = byId[id];
            if (alphabet == Alphabet.BYTE_LEVEL) {
                symbols.append(t);
            } else if (t.matches("<0x[0-9A-F]{2}>")) {
                bytes.write(Integer.parseInt(t.substring(3, 5), 16));
            } else {
                bytes.writeBytes(t.replace('\u2581', ' ').getBytes(StandardCharsets.UTF_8));
            }
        }
        if (alphabet == Alphabet.BYTE_LEVEL) return ByteLevel.decode(symbols.toString());
        String s = bytes.toString(StandardCharsets.UTF_8);
        return s.startsWith(" ") ? s.substring(1) : s; // the space the normalizer put before the text
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
        return (alphabet == Alphabet.BYTE_LEVEL ? "byte-level BPE" : "BPE with byte fallback") + " (" + origin + ")";
    }
}
