package dev.cosyvoice4j.engine;

import java.util.ArrayDeque;

/**
 * Text arriving in pieces (e.g. the tokens of an LLM as they come out) for
 * {@link Session#synthesizeTextStream}: the port of the {@code Generator} of str that
 * {@code CosyVoice3.inference_zero_shot} / {@code inference_instruct2} accept. Producers call {@link #push} from any
 * thread and {@link #finish} once; the session reads the pieces in order.
 *
 * <p>As the official frontend ({@code CosyVoiceFrontEnd._extract_text_token_generator}) each piece is tokenized on
 * its own, so a piece cut inside a word gives other ids than the whole text would (e.g. {@code "stre" + "aming"}),
 * and the text is NOT normalised nor split into sentences (the official skips both for a generator). Empty pieces
 * add nothing. A piece may end inside a surrogate pair: the high surrogate is held back until the next piece so a
 * character is never split in two.
 */
public final class TextInput {
    private final ArrayDeque<String> pieces = new ArrayDeque<>();
    private boolean finished;
    private String pendingHigh = "";

    /** Adds a piece of text. */
    public synchronized TextInput push(String piece) {
        if (finished) throw new IllegalStateException("text input already finished");
        String s = pendingHigh + piece;
        pendingHigh = "";
        if (!s.isEmpty() && Character.isHighSurrogate(s.charAt(s.length() - 1))) {
            pendingHigh = s.substring(s.length() - 1);
            s = s.substring(0, s.length() - 1);
        }
        if (!s.isEmpty()) {
            pieces.add(s);
            notifyAll();
        }
        return this;
    }

    /** No more text: the synthesis decodes the rest and ends. */
    public synchronized void finish() {
        if (finished) return;
        if (!pendingHigh.isEmpty()) pieces.add(pendingHigh);
        pendingHigh = "";
        finished = true;
        notifyAll();
    }

    /** A text input holding all of {@code pieces}, already finished. */
    public static TextInput of(String... pieces) {
        TextInput t = new TextInput();
        for (String p : pieces) t.push(p);
        t.finish();
        return t;
    }

    /**
     * The next piece (what the session tokenizes), or null once finished and drained; waits at most
     * {@code timeoutMillis} (0 = no wait) and returns "" when nothing came.
     */
    public synchronized String next(long timeoutMillis) throws InterruptedException {
        if (pieces.isEmpty() && !finished && timeoutMillis > 0) wait(timeoutMillis);
        if (!pieces.isEmpty()) return pieces.poll();
        return finished ? null : "";
    }
}
