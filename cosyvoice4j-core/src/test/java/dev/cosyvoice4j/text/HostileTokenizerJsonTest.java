package dev.cosyvoice4j.text;

import dev.cosyvoice4j.io.ModelFormatException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hostile {@code vocab.json}: ids that would size the tables, and repeated keys or ids that used to cost a rehash each. */
class HostileTokenizerJsonTest {
    private static TokenTable read(String json) {
        TokenTable t = new TokenTable(16);
        new FlatJsonObjectReader(Path.of("vocab.json"), json.getBytes(StandardCharsets.UTF_8)).readInto(t);
        return t;
    }

    @Test
    void anIdBeyondWhatTheFileCouldHoldIsRefusedBeforeAllocation() {
        var e = assertThrows(ModelFormatException.class, () -> read("{\"a\": 15999999}"));
        assertTrue(e.getMessage().contains("out of range for a file of 15 bytes"), e.getMessage());
    }

    @Test
    void repeatedKeysAndIdsTakeLinearTime() {
        StringBuilder keys = new StringBuilder("{");
        StringBuilder ids = new StringBuilder("{");
        for (int i = 0; i < 300_000; i++) {
            keys.append(i == 0 ? "" : ",").append("\"same\":").append(i % 1000);
            ids.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":7");
        }
        assertTimeoutPreemptively(Duration.ofSeconds(3), () -> {
            TokenTable k = read(keys.append('}').toString());
            assertEquals(1, k.count());
            assertEquals(299_999 % 1000, k.id("same"));
            TokenTable i = read(ids.append('}').toString());
            assertEquals(1, i.count());
            assertEquals("k299999", i.token(7));
            assertEquals(-1, i.id("k5"));
        });
    }
}
