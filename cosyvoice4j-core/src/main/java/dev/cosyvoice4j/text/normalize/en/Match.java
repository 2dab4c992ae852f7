package dev.cosyvoice4j.text.normalize.en;

/** A grammar's reading of {@code text[start, end)}: where it ends and what it is spoken as. */
record Match(int end, String text) {}
