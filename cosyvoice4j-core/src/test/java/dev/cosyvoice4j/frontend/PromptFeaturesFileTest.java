package dev.cosyvoice4j.frontend;

import dev.cosyvoice4j.frontend.audio.FeatureMatrix;
import dev.cosyvoice4j.io.ModelFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PromptFeaturesFileTest {
    @TempDir Path dir;

    static PromptFeatures sample() {
        float[] feat = new float[6 * 80];
        for (int i = 0; i < feat.length; i++) feat[i] = (float) Math.sin(i) * 5 - 3;
        float[] emb = new float[192];
        for (int i = 0; i < emb.length; i++) emb[i] = i / 100f - 0.9f;
        return new PromptFeatures(new int[] {0, 6560, 17}, feat, 6, 80, emb);
    }

    @Test
    void roundTripsExactly() throws IOException {
        PromptFeatures p = sample();
        Path f = dir.resolve("speakers/alice.cvspk");
        p.save(f);
        PromptFeatures q = PromptFeatures.load(f);
        assertEquals(p, q);
        assertArrayEquals(p.speechFeat(), q.speechFeat());
        try (Stream<Path> s = Files.list(f.getParent())) {
            assertEquals(1, s.count(), "no temp file left behind");
        }
        p.save(f);   // overwrite
        assertEquals(p, PromptFeatures.load(f));
    }

    @Test
    void recordIsImmutable() {
        PromptFeatures p = sample();
        p.speechTokens()[0] = 99;
        p.embedding()[0] = 99;
        assertEquals(0, p.speechTokens()[0]);
        assertEquals(-0.9f, p.embedding()[0]);
    }

    @Test
    void alignmentKeepsRatioTimesTokensFrames() {
        FeatureMatrix feat = new FeatureMatrix(new float[687 * 80], 687, 80);
        PromptFeatures p = PromptFeatures.aligned(new int[344], feat, new float[192], 2);
        assertEquals(343, p.tokenCount());
        assertEquals(686, p.featFrames());
        PromptFeatures q = PromptFeatures.aligned(new int[87], new FeatureMatrix(new float[174 * 80], 174, 80), new float[192], 2);
        assertEquals(87, q.tokenCount());
        assertEquals(174, q.featFrames());
        assertEquals(3, PromptFeatures.alignedTokenCount(7, 10, 2));
    }

    @Test
    void corruptFilesAreRefusedWithAReason() throws IOException {
        Path good = dir.resolve("good.cvspk");
        sample().save(good);
        byte[] bytes = Files.readAllBytes(good);

        assertRefused("bad-magic", mutate(bytes, b -> b[0] = 'X'), "bad magic");
        assertRefused("version", mutate(bytes, b -> ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 2)), "version 2");
        assertRefused("truncated", Arrays.copyOf(bytes, bytes.length - 10), "truncated");
        assertRefused("trailing", Arrays.copyOf(bytes, bytes.length + 4), "trailing");
        assertRefused("flipped", mutate(bytes, b -> b[100] ^= 1), "checksum");
        assertRefused("tiny", new byte[5], "not a speaker file");
        assertRefused("header", mutate(bytes, b -> ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(20, 0)), "corrupt speaker file header");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> PromptFeatures.load(dir.resolve("missing.cvspk")));
        assertTrue(e.getMessage().contains("no such"), e.getMessage());
    }

    private void assertRefused(String name, byte[] content, String expected) throws IOException {
        Path f = dir.resolve(name + ".cvspk");
        Files.write(f, content);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> PromptFeatures.load(f), name);
        assertTrue(e.getMessage().contains(expected), name + ": " + e.getMessage());
    }

    private static byte[] mutate(byte[] b, java.util.function.Consumer<byte[]> f) {
        byte[] c = b.clone();
        f.accept(c);
        return c;
    }
}
