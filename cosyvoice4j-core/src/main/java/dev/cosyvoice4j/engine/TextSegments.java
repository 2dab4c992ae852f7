package dev.cosyvoice4j.engine;

import dev.cosyvoice4j.text.TextFrontend;

import java.util.List;

/**
 * The text half of {@code CosyVoiceFrontEnd} for one request: prompt/instruction texts as the official frontend
 * leaves them (they contain {@code <|endofprompt|>}, so {@code text_normalize} returns them unchanged) and the
 * text split into segments that are synthesised one after another.
 */
final class TextSegments {
    private final TextFrontend frontend;

    TextSegments(TextFrontend frontend) { this.frontend = frontend; }

    String prompt(String promptText, boolean textFrontend) { return frontend.normalize(promptText, textFrontend); }

    List<String> segments(String text, boolean textFrontend) {
        List<String> segments = frontend.segments(text, textFrontend);
        if (segments.isEmpty()) throw new IllegalArgumentException("the text has nothing to speak (only spaces or punctuation)");
        return segments;
    }
}
