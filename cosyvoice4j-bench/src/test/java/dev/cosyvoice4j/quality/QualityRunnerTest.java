package dev.cosyvoice4j.quality;

import dev.cosyvoice4j.engine.PrecisionMode;
import dev.cosyvoice4j.backend.Precision;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The quality report on {@link SmallRandomModel}, mode parsing and the error measures. */
class QualityRunnerTest {
    @Test
    void reportsEveryModeAndSharesPartsByPrecision() {
        QualityRunner.Inputs in = new QualityRunner.Inputs(SmallRandomModel.dir(), SmallRandomModel.PROMPT_WAV,
                SmallRandomModel.PROMPT_TEXT, "Good morning.", 6, null);
        QualityReport r = new QualityRunner(SmallRandomModel.THREADS, 1, msg -> { })
                .run(in, PrecisionMode.parseList("fp32,q8_0,bf16,q8_0+bf16"));
        assertEquals(4, r.rows().size());
        assertEquals(6, r.setup().tokens().length);
        assertArrayEquals(r.setup().tokens(), r.llmRef().argmaxTokens(), "teacher-forced = fp32 greedy tokens");
        QualityReport.Row fp32 = r.rows().get(0), q8 = r.rows().get(1), bf16 = r.rows().get(2), both = r.rows().get(3);
        assertSame(r.llmRef(), fp32.llm());
        assertNotSame(q8.llm(), both.llm(), "q8_0+bf16 runs its LLM prefill in bf16: measured on its own");
        assertEquals(Precision.F32, q8.llm().prefillPrecision());
        assertEquals(Precision.BF16, both.llm().prefillPrecision());
        assertTrue(both.llm().logits().top1Agreement() > 0.5 && both.llm().logits().relativeRms() < 0.05, "bf16 prefill stays close");
        assertSame(r.llmRef(), bf16.llm(), "an fp32 LLM keeps float32 prefill products in the bf16 mode");
        assertSame(bf16.flow(), both.flow(), "one measurement per flow precision");
        assertSame(r.flowRef(), q8.flow());
        assertEquals(Precision.Q8_0, q8.llm().precision());
        assertTrue(q8.llm().logits().maxAbs() > 0 && q8.llm().logits().top1Agreement() > 0.5);
        assertTrue(bf16.flow().reduced(), "oneDNN bf16 ran");
        assertTrue(bf16.flow().mel().cosine() > 0.9999);
        assertNull(fp32.golden());
        String md = r.markdown();
        for (String s : new String[]{"## Speed", "## LLM logits", "## Flow mel", "| q8_0+bf16 |", "top-25 overlap", "best of 1"}) {
            assertTrue(md.contains(s), s + " in\n" + md);
        }
    }

    @Test
    void parsesModes() {
        assertEquals(List.of("fp32", "q8_0", "q4_0", "bf16", "q8_0+bf16"),
                PrecisionMode.parseList(PrecisionMode.DEFAULT_MODES).stream().map(PrecisionMode::name).toList());
        PrecisionMode m = PrecisionMode.parse(" BF16+q4 ");
        assertEquals("q4_0+bf16", m.name());
        assertEquals(Precision.Q4_0, m.llm());
        assertEquals(Precision.BF16, m.flow());
        assertTrue(PrecisionMode.parse("f32").isFp32());
        assertEquals(2, PrecisionMode.parseList("q8_0,q8,fp32").size());
        assertThrows(IllegalArgumentException.class, () -> PrecisionMode.parse("q8_0+q4_0"));
        assertThrows(IllegalArgumentException.class, () -> PrecisionMode.parse("int8"));
        assertThrows(IllegalArgumentException.class, () -> PrecisionMode.parse(""));
    }

    @Test
    void errorMeasures() {
        float[] a = {1, 5, 3, 5, -2}, b = {1, 4, 3, 6, -2};
        assertEquals(1, ErrorStats.maxAbs(a, b));
        assertEquals(0.4, ErrorStats.meanAbs(a, b), 1e-12);
        assertEquals(Math.sqrt(0.4), ErrorStats.rmsDiff(a, b), 1e-12);
        assertArrayEquals(new int[]{1, 3, 2}, ErrorStats.topK(a, 3), "ties keep index order, as argmax");
        assertEquals(2, ErrorStats.overlap(new int[]{1, 3, 2}, new int[]{3, 1, 0}));
        assertEquals(0, ErrorStats.top1Margin(a));
        assertEquals(1, ErrorStats.cosine(a, a), 1e-12);
        assertEquals(-1, ErrorStats.cosine(a, new float[]{-1, -5, -3, -5, 2}), 1e-12);
        LogitComparison c = LogitComparison.of(new float[][]{a, a}, new float[][]{b, a});
        assertEquals(0.5, c.top1Agreement());         // argmax 1 vs 3 on step 0
        assertEquals(1, c.topKOverlap()[2], 1e-12);    // k = 25 clips to the 5 values: all shared
        assertThrows(IllegalArgumentException.class, () -> ErrorStats.maxAbs(a, new float[2]));
    }
}
