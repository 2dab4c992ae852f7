package dev.cosyvoice4j.text.normalize.zh;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Never a crash, linear time: the inputs that break the official Python code (whitespace only, a leading
 * terminator followed by a quote), very long inputs, long digit runs and random Unicode. The algorithm is linear
 * (no regular expressions, bounded look-ahead per position); nothing here asserts a time.
 */
class ChineseNormalizerRobustnessTest {
    private final ChineseNormalizer normalizer = new ChineseNormalizer();
    private final ChineseNormalizer allOptions = new ChineseNormalizer(ChineseNormalizer.Options.weTextProcessingTests());

    @Test
    void emptyNullAndWhitespaceOnly() {
        assertEquals("", normalizer.normalize(""));
        assertEquals("", normalizer.normalize(null));
        assertEquals("   ", normalizer.normalize("   "));
        assertEquals(" \t\u3000\n", normalizer.normalize(" \t\u3000\n"));
        assertEquals(" 一 ", normalizer.normalize(" 1 "));
        assertNotNull(allOptions.normalize("  \u00a0 "));
    }

    @Test
    void leadingTerminatorFollowedByQuote() {
        assertEquals("。\"你好", normalizer.normalize("。\"你好"));
        assertEquals("。\"你好三", normalizer.normalize("。\"你好3"));
        assertEquals(".\"hi二", normalizer.normalize(".\"hi2"));
        assertEquals("。”一", normalizer.normalize("。”1"));
    }

    @Test
    void longInput() {
        String unit = "共465篇，约315万字。2002/01/28于5:35:36发射，价格是￥13.5，重达25kg。";
        String text = unit.repeat(100_000 / unit.length() + 1).substring(0, 100_000);
        String out = normalizer.normalize(text);
        assertTrue(out.startsWith("共四百六十五篇，约三百一十五万字。二零零二年一月二十八日于五点三十五分三十六秒发射"), out.substring(0, 60));
        assertFalse(out.chars().anyMatch(c -> c >= '0' && c <= '9'), "every digit is read");
    }

    @Test
    void longDigitRun() {
        String digits = "1234567890".repeat(1_000);
        String out = normalizer.normalize("号码" + digits + "结束");
        assertTrue(out.startsWith("号码") && out.endsWith("结束"));
        assertFalse(out.chars().anyMatch(c -> c >= '0' && c <= '9'), "every digit is read");
        // runs of the other digit-driven shapes
        assertNotNull(normalizer.normalize("1." + "5".repeat(10_000)));
        assertNotNull(normalizer.normalize("1+".repeat(5_000) + "1"));
        assertNotNull(normalizer.normalize("1-".repeat(5_000)));
        assertNotNull(normalizer.normalize("12:00-".repeat(2_000)));
        assertNotNull(normalizer.normalize("2008-08-08~".repeat(1_000)));
        assertNotNull(normalizer.normalize("1/".repeat(5_000)));
        assertNotNull(normalizer.normalize("１２３４５".repeat(2_000)));
    }

    @Test
    void randomUnicodeNeverThrows() {
        Random random = new Random(20261206L);
        String interesting = "0123456789０１２３４５６７８９.-+±/:：~%年月日号个kmw尾号是为约人均￥$ A中国儿 \t\n\"\\";
        for (int k = 0; k < 4_000; k++) {
            StringBuilder sb = new StringBuilder();
            int len = random.nextInt(40);
            for (int i = 0; i < len; i++) {
                int r = random.nextInt(10);
                if (r < 5) sb.append(interesting.charAt(random.nextInt(interesting.length())));
                else if (r < 7) sb.appendCodePoint(0x4e00 + random.nextInt(0x9fff - 0x4e00));
                else if (r < 8) sb.append((char) random.nextInt(0x10000)); // includes lone surrogates
                else sb.appendCodePoint(random.nextInt(Character.MAX_CODE_POINT + 1));
            }
            String s = sb.toString();
            assertNotNull(normalizer.normalize(s), s);
            assertNotNull(allOptions.normalize(s), s);
        }
    }
}
