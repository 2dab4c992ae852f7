package dev.cosyvoice4j.text.normalize.en;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Readings beyond the upstream case files, pinned so that design choices do not drift silently. */
class EnglishNormalizerExamplesTest {

    final EnglishNormalizer n = new EnglishNormalizer();

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
        I was born in 1990.                       | I was born in nineteen ninety.
        the 1990s and the 2000s                   | the nineteen nineties and the two thousands
        In 2005 and 1905.                         | In two thousand five and nineteen oh five.
        It costs $5 or 5%.                        | It costs five dollars or five percent.
        We have 1,000,000 users.                  | We have one million users.
        Room 101, floor 3.                        | Room one hundred and one, floor three.
        E100 and R&D in 4x                        | E one hundred and R and D in four times
        Dr. Smith, 3 pm EST                       | doctor Smith, three PM EST
        It is -5 degrees, 2.5x faster.            | It is negative five degrees, two point five times faster.
        See https://www.example.com/a1 now 2      | See HTTPS colon slash slash WWW dot example dot com slash a one now two
        a 007 agent                               | a oh oh seven agent
        10 km/h                                   | ten kilometers per hour
        Mon-Fri 9:00-17:00                        | Monday to Friday nine o'clock to seventeen o'clock
        No. 5 is 1/2 done                         | Number five is one half done
        """)
    void readings(String in, String out) {
        assertEquals(out, n.normalize(in));
    }
}
