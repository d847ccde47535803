package dev.swan.api;

import java.util.List;

/**
 * A tokenizer vocabulary as llama.cpp stores it inside a GGUF file, so that an evaluator can turn text
 * into the same token ids llama.cpp would.
 *
 * @param model          {@code llama} (SentencePiece: score-driven merges, byte fallback) or {@code gpt2}
 *                       (byte-level BPE: merge ranks after a pre-tokenizer)
 * @param pre            the pre-tokenizer name for {@code gpt2} vocabularies ({@code qwen2}, {@code llama-bpe},
 *                       ...), {@code default} otherwise
 * @param tokens         token text by id
 * @param scores         SentencePiece scores by id (empty for {@code gpt2})
 * @param types          token types by id (1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte)
 * @param merges         byte-level BPE merges as {@code "a b"} in rank order (empty for {@code llama})
 * @param bos            beginning-of-sequence id, or -1
 * @param eos            end-of-sequence id, or -1
 * @param unk            unknown-token id, or -1
 * @param addBos         whether encoding starts with {@code bos}
 * @param addSpacePrefix whether a SentencePiece vocabulary puts a space before the text
 */
public record Vocabulary(String model, String pre, List<String> tokens, List<Float> scores, List<Integer> types,
                         List<String> merges, int bos, int eos, int unk, boolean addBos, boolean addSpacePrefix) {

    public static final int NORMAL = 1, UNKNOWN = 2, CONTROL = 3, USER_DEFINED = 4, UNUSED = 5, BYTE = 6;

    public Vocabulary {
        tokens = List.copyOf(tokens);
        scores = List.copyOf(scores);
        types = List.copyOf(types);
        merges = List.copyOf(merges);
    }
}
