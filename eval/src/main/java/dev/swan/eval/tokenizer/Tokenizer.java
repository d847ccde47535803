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

    /** The kind and origin, e.g. {@code sentencepiece (tokenizer.model)}. */
    String describe();
}
