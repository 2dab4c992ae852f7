package dev.cosyvoice4j.model.lm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.backend.BackendOptions;
import dev.cosyvoice4j.backend.Backends;
import dev.cosyvoice4j.config.ModelConfig;
import dev.cosyvoice4j.golden.GoldenCase;
import dev.cosyvoice4j.golden.GoldenManifest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link BistreamDecoder} on fixture model A against the golden-bistream runs: the tokens depend only on the text id
 * sequence, not on how the ids are grouped into calls; sessions are independent.
 */
class BistreamDecoderTest {
    static final Path SET = Path.of("src/test/resources/fixtures/golden-bistream");
    static Backend backend;
    static CosyVoice3LM lm;
    static GoldenManifest manifest;

    @BeforeAll
    static void load() {
        manifest = GoldenManifest.read(SET);
        backend = Backends.open("cpu", BackendOptions.defaults());
        ModelConfig cfg = ModelConfig.load(manifest.modelDir());
        lm = CosyVoice3LM.open(manifest.modelDir().resolve("llm.pt"), cfg.llm(), cfg.qwen2(), backend);
    }

    @AfterAll
    static void close() throws Exception {
        lm.close();
        backend.close();
    }

    /** Runs a case feeding its streamed ids grouped in calls of {@code group} ids (0 = all at once). */
    static int[] run(GoldenCase c, int group, boolean emptyCallsBetween) {
        JsonNode in = c.inputs();
        JsonNode sp = in.get("llm_prompt_speech_token");
        int[] speech = sp.isArray() ? ints(sp) : c.tensor(sp).toIntArray();
        BistreamPrompt prompt = BistreamPrompt.of(ints(in.get("prompt_text_ids")), speech);
        BistreamGoldenStage.GoldenSampler sampler = new BistreamGoldenStage.GoldenSampler(lm, in.get("sampler"));
        BistreamDecoder d = lm.bistream(prompt, sampler, null, null);
        sampler.decoder = d;
        int[] ids = ints(in.get("text_ids_streamed"));
        int step = group == 0 ? ids.length : group;
        List<Integer> yielded = new ArrayList<>();
        for (int i = 0; i < ids.length; i += step) {
            d.acceptText(Arrays.copyOfRange(ids, i, Math.min(ids.length, i + step)), yielded::add);
            if (emptyCallsBetween) d.acceptText(new int[0], yielded::add);
        }
        d.finish(yielded::add);
        assertArrayEquals(ints(c.output("yielded_tokens")), yielded.stream().mapToInt(Integer::intValue).toArray(), "yielded");
        return d.outTokens();
    }

    @Test
    void idsFedOneByOneInGroupsOrAllAtOnceGiveTheGoldenTokens() {
        for (String id : List.of("bistream/zero_shot_pieces", "bistream/short_text", "bistream/instruct2")) {
            GoldenCase c = manifest.byId(id);
            for (int group : new int[] {1, 3, 7, 0}) {
                assertArrayEquals(ints(c.output("out_tokens")), run(c, group, group == 3), id + " in groups of " + group);
            }
        }
    }

    @Test
    void textInputWithEmptyPiecesAndASplitSurrogatePairGivesTheGoldenTokens() throws Exception {
        GoldenCase c = manifest.byId("bistream/zero_shot_pieces");
        var tok = dev.cosyvoice4j.text.Qwen2Tokenizer.forModelDir(manifest.modelDir());
        JsonNode pieces = c.input("text_pieces");
        dev.cosyvoice4j.engine.TextInput text = new dev.cosyvoice4j.engine.TextInput();
        for (JsonNode p : pieces) text.push("").push(p.asText()).push("");
        text.finish();
        // what the engine feeds: each piece as TextInput hands it out, tokenized on its own
        List<Integer> ids = new ArrayList<>();
        for (String p = nextPiece(text); p != null; p = nextPiece(text)) for (int id : tok.encode(p)) ids.add(id);
        assertArrayEquals(ints(c.input("text_ids_streamed")), ids.stream().mapToInt(Integer::intValue).toArray());
        // a piece ending inside a surrogate pair: held back, so the character is tokenized whole
        dev.cosyvoice4j.engine.TextInput emoji = new dev.cosyvoice4j.engine.TextInput().push("ok \uD83D").push("\uDE00");
        emoji.finish();
        List<Integer> e = new ArrayList<>();
        for (String p = nextPiece(emoji); p != null; p = nextPiece(emoji)) for (int id : tok.encode(p)) e.add(id);
        int[] whole = java.util.stream.IntStream.concat(Arrays.stream(tok.encode("ok ")), Arrays.stream(tok.encode("\uD83D\uDE00"))).toArray();
        assertArrayEquals(whole, e.stream().mapToInt(Integer::intValue).toArray());
    }

    private static String nextPiece(dev.cosyvoice4j.engine.TextInput t) throws Exception {
        return t.next(0);
    }

    @Test
    void twoConcurrentDecodersDoNotInterfere() throws Exception {
        GoldenCase a = manifest.byId("bistream/zero_shot_pieces"), b = manifest.byId("bistream/instruct2");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<int[]> fa = pool.submit(() -> run(a, 1, false)), fb = pool.submit(() -> run(b, 2, false));
            assertArrayEquals(ints(a.output("out_tokens")), fa.get());
            assertArrayEquals(ints(b.output("out_tokens")), fb.get());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void promptWithoutEndOfPromptIsRejected() {
        var e = assertThrows(IllegalArgumentException.class, () -> BistreamPrompt.of(new int[] {1, 2, 3}, new int[0]));
        assertTrue(e.getMessage().contains("<|endofprompt|>"));
    }

    @Test
    void textAfterFinishIsRefused() {
        BistreamPrompt prompt = BistreamPrompt.of(new int[] {CosyVoice3LM.ENDOFPROMPT_TOKEN_ID}, new int[0]);
        BistreamDecoder d = lm.bistream(prompt, (logp, n, dec, k) -> lm.eosToken(), null, null);
        d.finish(t -> { });
        assertThrows(IllegalStateException.class, () -> d.acceptText(5, t -> { }));
    }

    static int[] ints(JsonNode arr) {
        int[] a = new int[arr.size()];
        for (int i = 0; i < a.length; i++) a[i] = arr.get(i).asInt();
        return a;
    }
}
