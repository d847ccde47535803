package dev.swan.eval.tokenizer;

/** Turns text into token ids the way llama.cpp does for the same vocabulary. Immutable, thread-safe. */
public interface Tokenizer {

    /**
     * The ids of {@code text}, beginning with {@link #bos()} when {@link #addsBos()}; special tokens written
     * in the text are not parsed (as llama-perplexity tokenizes). Refuses with {@link
     * dev.swan.eval.EvalException} a character the vocabulary cannot encode.
     */
    int[] encode(String text);

    /** Text back from ids (control tokens such as BOS are left out). */
    String decode(int[] ids);

    /** The beginning-of-sequence id, or -1. */
    int bos();

    /** Whether encoded text (and each perplexity chunk) starts with {@link #bos()}. */
    boolean addsBos();

    /** Size of the id space. */
    int vocabSize();

    /** Control tokens by their text ({@code <s>}, {@code <|im_start|>}, {@code <|eot_id|>}, ...). */
    default java.util.Map<String, Integer> controlTokens() {
        return java.util.Map.of();
    }

    /**
     * The ids of a rendered chat prompt, as Hugging Face tokenizes {@code apply_chat_template}'s text: the
     * control tokens written in it are tokens, the text between them is encoded piece by piece, and no BOS
     * is added (the template writes its own).
     */
    default int[] encodeChat(String text) {
        java.util.List<Integer> out = new java.util.ArrayList<>();
        for (UserDefinedSplitter.Fragment f : new UserDefinedSplitter(controlTokens()).split(text)) {
            if (f.text() == null) {
                out.add(f.token());
                continue;
            }
            int[] ids = encode(f.text());
            for (int k = addsBos() && ids.length > 0 && ids[0] == bos() ? 1 : 0; k < ids.length; k++) out.add(ids[k]);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The kind and origin, e.g. {@code sentencepiece (tokenizer.model)}. */
    String describe();
}
