package dev.cosyvoice4j.hub;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelIdTest {
    @Test
    void idsAreOwnerSlashNameAndMapToTheCacheFolder() {
        ModelId id = ModelId.parse("FunAudioLLM/Fun-CosyVoice3-0.5B-2512");
        assertEquals("FunAudioLLM", id.owner());
        assertEquals("models--FunAudioLLM--Fun-CosyVoice3-0.5B-2512", id.hfFolderName());
        assertEquals("FunAudioLLM/Fun-CosyVoice3-0.5B-2512", id.toString());
    }

    @Test
    void pathsAreNotIds() {
        assertTrue(ModelId.looksLikeId("acme/tiny"));
        for (String s : new String[]{"/abs/dir", "./acme/tiny", "../x", "acme/tiny/extra", "tiny", "acme/", "/tiny", "a--b/c", "a/b..c", "a b/c"}) {
            assertFalse(ModelId.looksLikeId(s), s);
        }
    }

    @Test
    void malformedIdsAreRefusedWithTheReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelId.parse("acme"));
        assertTrue(e.getMessage().contains("expected owner/name"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ModelId.parse("acme/a--b"));
        assertTrue(e.getMessage().contains("no '--'"), e.getMessage());
    }
}
