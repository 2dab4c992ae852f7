package dev.cosyvoice4j.text.normalize.zh;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Behaviours of the 039007e grammar beyond WeTextProcessing's test files (derived from the grammar, not from a
 * run of the Python code): the phone-number and 两 changes since 1.0.3, 亿, ranges, comma stripping, the digit gate.
 */
class ChineseNormalizerTest {
    private final ChineseNormalizer normalizer = new ChineseNormalizer();

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            100倍              | 一百倍
            200年              | 两百年
            465                | 四百六十五
            1200               | 一千二百
            100000001          | 一亿零一
            200000000          | 两亿
            123456789012       | 一千二百三十四亿五千六百七十八万九千零一十二
            今天中午12点        | 今天中午十二点
            10:30-11:20        | 十点三十分到十一点二十分
            2008-08-08~2008-09-01 | 二零零八年八月八日到二零零八年九月一日
            卖了1,000个         | 卖了一千个
            2024年             | 二零二四年
            2月                | 二月
            2个                | 两个
            约2个               | 约二个
            1-2两              | 一到二两
            1~3天              | 一到三天
            2008-2010赛季       | 二零零八到二零一零赛季
            价格是CNY 1.25      | 价格是一点二五人民币
            温度-3.5度          | 温度负三点五度
            x≤1               | x小于等于一
            """)
    void grammar(String written, String spoken) {
        assertEquals(spoken, normalizer.normalize(written));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            这儿有只鸟儿        | 这儿有只鸟儿
            ＩＰＨＯＮＥ        | ＩＰＨＯＮＥ
            寶貝3个             | 寶貝三个
            呃，2个啊           | 呃，两个啊
            안녕1              | 안녕一
            """)
    void cosyVoiceOptionsKeepTheText(String written, String spoken) {
        assertEquals(spoken, normalizer.normalize(written));
    }
}
