package dev.cosyvoice4j.model.lm;

import dev.cosyvoice4j.backend.Backend;
import dev.cosyvoice4j.config.Qwen2Config;
import dev.cosyvoice4j.model.qwen2.Qwen2Model;
import dev.cosyvoice4j.model.qwen2.RandomQwen2;

import java.util.SplittableRandom;

/** A CosyVoice3LM with in-memory random weights of any size (tests, benchmark), bound to {@code backend}. */
public final class RandomLm {
    private RandomLm() {}

    public static CosyVoice3LM create(Qwen2Config qwen, int speechTokenSize, Backend backend, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int rows = speechTokenSize + CosyVoice3LM.EXTRA_TOKENS, h = qwen.hiddenSize();
        Qwen2Model llm = new Qwen2Model(qwen, RandomQwen2.weights(qwen, r.nextLong()), backend);
        return new CosyVoice3LM(llm, RandomQwen2.tensor(r.split(), 0, 1, rows, h),
                RandomQwen2.tensor(r.split(), 0, 1 / Math.sqrt(h), rows, h), speechTokenSize, null);
    }
}
