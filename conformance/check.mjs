// Loads GGUF files in llama.cpp (node-llama-cpp's prebuilt binaries, CPU only) and reports, per file:
// the greedy 30-token continuation of BOS, and the perplexity over a token-id file with llama-perplexity's
// protocol (chunks of n_ctx tokens, BOS first in each where the vocabulary adds one, the second half of each
// chunk scored).
// Usage: node check.mjs spec.json   (spec: {"ids": "<ids.json>", "ctx": 256, "models": [{"label", "path",
//                                          "reference": "<label>" (optional)}], "reference": "<label>" (optional)})
// With a reference (the model's own, else the spec's), a model also gets the mean KL divergence of the
// reference's next-token distributions from its own over the scored positions (llama-perplexity
// --kl-divergence, in spirit).
// With "texts" (a list of strings), each model also reports llama.cpp's token ids for each text ("tokens",
// special tokens not parsed, no BOS added), for comparing tokenizers.
// Prints one JSON document with the results on stdout.
import {readFileSync} from "node:fs";
import {getLlama, LlamaLogLevel} from "node-llama-cpp";

const spec = JSON.parse(readFileSync(process.argv[2], "utf8"));
const ids = JSON.parse(readFileSync(spec.ids, "utf8"));
const nCtx = spec.ctx ?? 256;
const llama = await getLlama({gpu: false, build: "never", logLevel: LlamaLogLevel.error});
const fullDistribution = {temperature: 1, topK: 0, topP: 1, minP: 0};
const results = [];
const distributions = new Map(); // label -> one probability Map per scored position (only with references)
const keepDistributions = spec.reference !== undefined || spec.models.some(m => m.reference !== undefined);

for (const m of spec.models) {
    const model = await llama.loadModel({modelPath: m.path});
    const tokens = (spec.texts ?? []).map(text => Array.from(model.tokenize(text, false)));
    // one thread: the tiny test models are latency-bound, and more threads than cores spin and crawl
    const context = await model.createContext({contextSize: nCtx, batchSize: nCtx, sequences: 1, threads: 1});
    const seq = context.getSequence();
    const bos = model.tokens.bos;

    const generated = [];
    for await (const token of seq.evaluate([bos], {temperature: 0})) {
        generated.push(token);
        if (generated.length >= 30) break;
    }
    const greedy = model.detokenize(generated);

    const chunks = Math.floor(ids.length / nCtx);
    let nll = 0;
    let count = 0;
    const kept = [];
    for (let c = 0; c < chunks; c++) {
        await seq.clearHistory();
        const start = c * nCtx;
        const items = [];
        for (let j = 0; j < nCtx; j++) {
            // llama-perplexity: the first token of a chunk becomes BOS only where the vocabulary adds one
            const token = j === 0 && model.tokens.shouldPrependBosToken ? bos : ids[start + j];
            const scored = j >= nCtx / 2 && j < nCtx - 1;
            items.push(scored ? [token, {generateNext: {probabilities: true, options: fullDistribution}}] : token);
        }
        const out = await seq.controlledEvaluate(items);
        for (let j = nCtx / 2; j < nCtx - 1; j++) {
            const probabilities = out[j].next.probabilities;
            if (keepDistributions) kept.push(probabilities);
            const p = probabilities.get(ids[start + j + 1]) ?? 0;
            nll -= Math.log(Math.max(p, 1e-30));
            count++;
        }
    }
    distributions.set(m.label, kept);
    results.push({label: m.label, path: m.path, greedy, ppl: Math.exp(nll / count), scored: count, chunks, tokens});
    await context.dispose();
    await model.dispose();
}
if (keepDistributions) {
    for (const r of results) {
        const referenceLabel = spec.models.find(m => m.label === r.label).reference ?? spec.reference;
        if (referenceLabel === undefined) continue;
        const reference = distributions.get(referenceLabel);
        const mine = distributions.get(r.label);
        let kl = 0;
        for (let i = 0; i < reference.length; i++) {
            for (const [token, p] of reference[i]) {
                if (p > 0) kl += p * (Math.log(p) - Math.log(Math.max(mine[i].get(token) ?? 0, 1e-30)));
            }
        }
        r.reference = referenceLabel;
        r.kl = kl / reference.length;
    }
}
console.log(JSON.stringify({llama_cpp: "node-llama-cpp 3.21.1 (prebuilt, CPU)", results}, null, 2));
