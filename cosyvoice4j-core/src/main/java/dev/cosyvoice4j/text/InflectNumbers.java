package dev.cosyvoice4j.text;

import java.util.regex.Pattern;

/**
 * English cardinal numbers as {@code inflect.engine().number_to_words(s)} (inflect 7.3.1, default arguments)
 * writes them for the only input the official frontend gives it: a run of characters for which Python's
 * {@code str.isdigit()} is true ({@code spell_out_number}, cosyvoice/utils/frontend_utils.py). Examples:
 * {@code 1986 -> "one thousand, nine hundred and eighty-six"}, {@code 100000 -> "one hundred thousand"},
 * {@code 0123 -> "one hundred and twenty-three"}, {@code 1005 -> "one thousand and five"}.
 *
 * <p>inflect's quirks are kept: non-decimal "digits" such as {@code ²} or {@code ①} are removed by its
 * {@code \D} filter (so {@code "²"} alone reads "zero"); decimal digits of any script count with their
 * value. One deliberate deviation: inflect raises {@code NumOutOfRangeError} above 10^36 (more than 36
 * significant digits); here such a run is read digit by digit ("one two three ...") so the frontend never
 * throws.
 */
public final class InflectNumbers {
    private InflectNumbers() {}

    private static final String[] UNIT = {"", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"};
    private static final String[] TEEN = {"ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
            "seventeen", "eighteen", "nineteen"};
    private static final String[] TEN = {"", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"};
    private static final String[] MILL = {" ", " thousand", " million", " billion", " trillion", " quadrillion",
            " quintillion", " sextillion", " septillion", " octillion", " nonillion", " decillion"};
    private static final String[] DIGIT_WORD = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"};

    private static final Pattern WHITESPACES_COMMA = Pattern.compile("\\s+,");
    private static final Pattern COMMA_WORD = Pattern.compile(", (\\S+)\\s+\\z");
    private static final Pattern WHITESPACES = Pattern.compile("\\s+");

    /** {@code inflect.number_to_words(run)} for a run of {@code str.isdigit()} characters. */
    public static String digitRunToWords(String run) {
        int[] d = run.codePoints().filter(c -> Character.getType(c) == Character.DECIMAL_DIGIT_NUMBER)
                .map(c -> Character.digit(c, 10)).toArray();
        int first = 0;
        while (first < d.length && d[first] == 0) first++;
        int n = d.length - first;
        if (n == 0) return "zero";                     // int(num) == 0 (also: no decimal digit at all)
        if (n == 1 && d[first] == 1) return "one";     // int(num) == 1
        if (n > 3 * MILL.length) {                     // inflect: NumOutOfRangeError
            StringBuilder sb = new StringBuilder();
            for (int i = first; i < d.length; i++) sb.append(i > first ? " " : "").append(DIGIT_WORD[d[i]]);
            return sb.toString();
        }
        // enword(num, group=0): groups of three from the right, each "..., " with its scale word.
        StringBuilder groups = new StringBuilder();
        int millCount = 0;
        int end = d.length;
        while (end - first >= 3) {
            groups.insert(0, hundfn(d[end - 3], d[end - 2], d[end - 1], millCount));
            millCount++;
            end -= 3;
        }
        String head = switch (end - first) {
            case 2 -> tenfn(d[first], d[first + 1], millCount) + ", ";
            case 1 -> UNIT[d[first]] + MILL[millCount] + ", ";
            default -> "";
        };
        String chunk = head + groups;
        // number_to_words' post-processing of the (single, first) chunk
        if (chunk.endsWith(", ")) chunk = chunk.substring(0, chunk.length() - 2);
        chunk = WHITESPACES_COMMA.matcher(chunk).replaceAll(",");
        chunk = COMMA_WORD.matcher(chunk).replaceFirst(" and $1");
        chunk = WHITESPACES.matcher(chunk).replaceAll(" ");
        return chunk.strip();
    }

    private static String tenfn(int tens, int units, int mindex) {
        if (tens != 1) return TEN[tens] + (tens != 0 && units != 0 ? "-" : "") + UNIT[units] + MILL[mindex];
        return TEEN[units] + MILL[mindex];
    }

    private static String hundfn(int hundreds, int tens, int units, int mindex) {
        if (hundreds != 0) {
            String and = tens != 0 || units != 0 ? " and " : "";
            return UNIT[hundreds] + " hundred" + and + tenfn(tens, units, 0) + MILL[mindex] + ", ";
        }
        if (tens != 0 || units != 0) return tenfn(tens, units, 0) + MILL[mindex] + ", ";
        return "";
    }
}
