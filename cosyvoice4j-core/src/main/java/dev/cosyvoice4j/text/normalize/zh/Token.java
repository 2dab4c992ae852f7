package dev.cosyvoice4j.text.normalize.zh;

/**
 * One tagged token, as WeTextProcessing's tagger writes it ({@code name { key: "value" … }}), with its fields
 * already in spoken form (the Chinese taggers of 1.0.3 produce spoken fields; 039007e moved the conversion to the
 * verbalizer, same outputs). {@link ZhVerbalizer} reorders and joins the fields.
 *
 * @param name   the class: cardinal, char, date, fraction, math, measure, money, range, sport, time, whitelist
 * @param fields key, value, key, value…
 */
record Token(String name, String... fields) {
    /** The value of {@code key}, or "" when absent (an absent optional field verbalizes to nothing). */
    String get(String key) {
        for (int i = 0; i + 1 < fields.length; i += 2) {
            if (fields[i].equals(key)) return fields[i + 1];
        }
        return "";
    }

    boolean has(String key) {
        for (int i = 0; i + 1 < fields.length; i += 2) {
            if (fields[i].equals(key)) return true;
        }
        return false;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(name).append(" {");
        for (int i = 0; i + 1 < fields.length; i += 2) {
            sb.append(' ').append(fields[i]).append(": \"").append(fields[i + 1]).append('"');
        }
        return sb.append(" }").toString();
    }
}
