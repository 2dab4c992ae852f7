package dev.cosyvoice4j.text.normalize.zh;

import java.util.List;

/**
 * One sentence being tagged: its code points (the FST works on characters; a Java char index would split
 * supplementary characters), the digit-run lengths (so "digits.plus" is O(1) from any position) and the memoised
 * number readings of each position (every class that embeds {@code Cardinal().number} asks for them).
 */
final class ZhInput {
    final int[] cp;
    final int n;
    /** digitRun[i]: how many digits (ASCII or full-width, number/digit.tsv + zero.tsv) start at i. */
    final int[] digitRun;
    private final List<NumberReader.Reading>[] numbers;
    private final List<NumberReader.Reading>[] prefixed;

    @SuppressWarnings({"unchecked", "rawtypes"})
    ZhInput(String text) {
        cp = text.codePoints().toArray();
        n = cp.length;
        digitRun = new int[n + 1];
        for (int i = n - 1; i >= 0; i--) digitRun[i] = digit(cp[i]) >= 0 ? digitRun[i + 1] + 1 : 0;
        numbers = new List[n + 1];
        prefixed = new List[n + 1];
    }

    /** The code point at i, or -1 past the end. */
    int at(int i) {
        return i >= 0 && i < n ? cp[i] : -1;
    }

    /** 0-9 for an ASCII or full-width digit, else -1. */
    static int digit(int c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= '０' && c <= '９') return c - '０';
        return -1;
    }

    int digitAt(int i) {
        return digit(at(i));
    }

    boolean startsWith(int i, String s) {
        int k = i;
        for (int j = 0; j < s.length(); ) {
            int c = s.codePointAt(j);
            if (at(k) != c) return false;
            j += Character.charCount(c);
            k++;
        }
        return true;
    }

    /** Position after one optional ASCII space (pynini {@code delete(' ').ques}). */
    int skipSpace(int i) {
        return at(i) == ' ' ? i + 1 : i;
    }

    /** Forgets the readings memoised at i: the lattice has passed it and no class looks backwards. */
    void release(int i) {
        numbers[i] = null;
        prefixed[i] = null;
    }

    /** Readings of {@code sign? number (dot digits+)?} at i (memoised). */
    List<NumberReader.Reading> numbers(int i) {
        if (numbers[i] == null) numbers[i] = NumberReader.numbers(this, i);
        return numbers[i];
    }

    /** Readings of Cardinal().number: {@code 约? 人均? (number | percent)} at i (memoised). */
    List<NumberReader.Reading> prefixedNumbers(int i) {
        if (prefixed[i] == null) prefixed[i] = NumberReader.prefixed(this, i);
        return prefixed[i];
    }
}
