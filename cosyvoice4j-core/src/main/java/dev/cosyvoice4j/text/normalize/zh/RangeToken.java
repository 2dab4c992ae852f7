package dev.cosyvoice4j.text.normalize.zh;

/**
 * Port of tn/chinese/rules/range.py (039007e; 1.0.3 inserted a {@code char { value: "到" }}): the - or ~
 * between the two ends of a date or time range, read 到. It has no tagger weight of its own: it only exists
 * inside the date and time taggers.
 */
final class RangeToken {
    private RangeToken() {}

    static final Token TO = new Token("range", "value", "到");
}
