package dev.cosyvoice4j.text.normalize.en;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** No input makes the normaliser throw or take more than linear time. */
class EnglishNormalizerRobustnessTest {

    final EnglishNormalizer n = new EnglishNormalizer();

    @Test
    void emptyAndWhitespace() {
        assertEquals("", n.normalize(""));
        assertEquals("", n.normalize("   \t\n  "));
        assertEquals("", n.normalize("\u3000\u00A0 "));
        assertEquals("", n.normalize(null));
        assertEquals("hello world", n.normalize(" hello world"));
    }

    @Test
    void textWithoutDigitIsUnchanged() {
        assertEquals("Mt. Hill costs $ & more", n.normalize("Mt. Hill costs $ & more"));
    }

    @Test
    void longNumbers() {
        String d37 = "1234567890123456789012345678901234567";
        String out = n.normalize("It has " + d37 + " digits.");
        assertTrue(out.startsWith("It has one two three four five six seven eight nine oh"), out);
        assertEquals("one decillion", Cardinal.normalize("1" + "0".repeat(33)));
        String max = "9".repeat(36);
        assertTrue(Cardinal.normalize(max).startsWith("nine hundred ninety nine decillion nine hundred ninety nine nonillion"), Cardinal.normalize(max));
        assertTrue(Cardinal.normalize(max).endsWith("thousand nine hundred and ninety nine"), Cardinal.normalize(max));
        for (int len = 30; len <= 80; len++) {
            String s = "7".repeat(len);
            String o = n.normalize(s);
            assertFalse(o.isEmpty());
            assertFalse(o.chars().anyMatch(Character::isDigit), o);
        }
    }

    @Test
    void tenThousandDigitRun() {
        String digits = "3141592653".repeat(1000);
        String out = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> n.normalize("pi is " + digits + "."));
        assertTrue(out.startsWith("pi is three one four one five nine"), out.substring(0, 60));
        assertTrue(out.endsWith("five three."));
        assertFalse(out.chars().anyMatch(Character::isDigit));
    }

    @Test
    void hundredThousandCharacters() {
        StringBuilder sb = new StringBuilder();
        String[] parts = {"On jan. 5, 2012 we paid $12.05 for 3.5 kg at 2:30 p.m. ", "call 123-123-5678 or mail a1@b.com; ",
                "a-a-a-a-a-a-a-a-a1-b-", "x.y.z.w.", "1,000,000 people in 1990s ", "E100 R&D 4x6 ~5 No. 7 ", "\u4e2d\u6587 12"};
        Random r = new Random(7);
        while (sb.length() < 100_000) sb.append(parts[r.nextInt(parts.length)]);
        String text = sb.toString();
        String out = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> n.normalize(text));
        assertFalse(out.isEmpty());
        // pathological runs without spaces
        for (String unit : new String[] {"a-", "a.", "1-", "1.", "1,", "a1-", "A.", ".com", "@a", "1/", "x", "1:"}) {
            String t = "9 " + unit.repeat(100_000 / unit.length());
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> n.normalize(t), unit);
        }
    }

    @Test
    void fuzzRandomUnicode() {
        Random r = new Random(20261206);
        String alphabet = "0123456789 .,-/:$%&#@'\"()~+*xXaAmMkgsthndrQHBC\u00be\u00b2\u00b0\u20ac\u00a3\u00a0\t";
        for (int i = 0; i < 4000; i++) {
            StringBuilder sb = new StringBuilder();
            int len = r.nextInt(40);
            for (int k = 0; k < len; k++) {
                int kind = r.nextInt(4);
                if (kind == 0) sb.appendCodePoint(r.nextInt(0x110000)); // any code point, lone surrogates included
                else sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
            }
            String s = sb.toString();
            String out = n.normalize(s);
            assertTrue(out != null);
            Cardinal.normalize(s);
            Ordinal.normalize(s);
            Decimal.normalize(s);
            Fraction.normalize(s);
            Date.normalize(s);
            Time.normalize(s);
            Money.normalize(s);
            Measure.normalize(s);
            Telephone.normalize(s);
            Electronic.normalize(s);
            Whitelist.normalize(s);
            Roman.normalize(s);
            Range.normalize(s);
            Serial.normalize(s);
        }
    }
}
