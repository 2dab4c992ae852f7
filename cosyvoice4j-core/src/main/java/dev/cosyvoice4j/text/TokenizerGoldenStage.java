package dev.cosyvoice4j.text;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cosyvoice4j.golden.CaseCheck;
import dev.cosyvoice4j.golden.GoldenCase;
import dev.cosyvoice4j.golden.GoldenContext;
import dev.cosyvoice4j.golden.GoldenStage;

import java.util.Map;

/**
 * Golden stage {@code tokenizer}. Case {@code tokenizer/encode}: for every recorded string the ids of
 * {@link Qwen2Tokenizer#encode} (official: {@code CosyVoice3Tokenizer.encode}), {@code decode(ids, true)}
 * ({@code decoded}) and {@code decode(ids, false)} ({@code decoded_keep_special}), all exact; then the full
 * added-token table (151643..151923) and {@code len(tokenizer)}.
 */
public final class TokenizerGoldenStage implements GoldenStage {
    /** Key of the tokenizer in {@link GoldenContext#component}; other stages may share it. */
    public static final String COMPONENT_KEY = "text.tokenizer";

    @Override
    public String stage() { return "tokenizer"; }

    /** CosyVoice2's cases use its 19-special tokenizer ({@link Qwen2Tokenizer#forModelDir} picks it by the yaml). */
    @Override
    public java.util.Set<String> modelFamilies() {
        return java.util.Set.of(dev.cosyvoice4j.golden.GoldenManifest.COSYVOICE3, dev.cosyvoice4j.golden.GoldenManifest.COSYVOICE2);
    }

    @Override
    public void run(GoldenCase goldenCase, GoldenContext context, CaseCheck check) {
        if (!goldenCase.id().equals("tokenizer/encode")) throw new SkipCase("no handler for " + goldenCase.id());
        Qwen2Tokenizer tok = context.component(COMPONENT_KEY, Qwen2Tokenizer::forModelDir);
        JsonNode strings = goldenCase.input("strings");
        JsonNode cases = goldenCase.output("cases");
        check.compareExact("number of strings", cases.size(), strings.size());
        for (int i = 0; i < cases.size(); i++) {
            JsonNode c = cases.get(i);
            String text = c.get("text").asText();
            String label = "[" + i + "] " + abbreviate(text);
            check.compareExact(label + " text", text, strings.get(i).asText());
            JsonNode idsNode = c.get("ids");
            int[] expected = new int[idsNode.size()];
            for (int k = 0; k < expected.length; k++) expected[k] = idsNode.get(k).asInt();
            check.compareIds(label + " ids", tok.encode(text), expected);
            check.compareExact(label + " decoded", tok.decode(expected, true), c.get("decoded").asText());
            check.compareExact(label + " decoded_keep_special", tok.decode(expected, false),
                    c.get("decoded_keep_special").asText());
        }
        JsonNode table = goldenCase.output("added_tokens");
        Map<String, Integer> added = tok.addedTokens();
        check.compareExact("added token count", added.size(), table.size());
        for (Map.Entry<String, JsonNode> e : table.properties()) {
            check.compareExact("added " + e.getKey(), tok.tokenToId(e.getKey()), e.getValue().asInt());
            check.compareExact("added " + e.getKey() + " is special", tok.isSpecial(e.getValue().asInt()), true);
        }
        check.compareExact("len_tokenizer", tok.size(), goldenCase.output("len_tokenizer").asInt());
    }

    private static String abbreviate(String s) {
        return s.length() <= 24 ? s : s.substring(0, 24) + "...";
    }
}
