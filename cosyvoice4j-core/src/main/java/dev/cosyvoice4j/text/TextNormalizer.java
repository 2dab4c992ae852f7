package dev.cosyvoice4j.text;

/**
 * A text-normalisation engine plugged into {@link TextFrontend} where the official frontend calls wetext
 * ({@code zh_tn_model.normalize} / {@code en_tn_model.normalize} in cosyvoice/cli/frontend.py). The engine uses
 * {@link dev.cosyvoice4j.text.normalize.WeTextNormalizer}; {@link #NONE} reproduces the official behaviour when
 * neither ttsfrd nor wetext is installed. Implementations must not throw.
 */
@FunctionalInterface
public interface TextNormalizer {
    /** The identity: what the official frontend does without ttsfrd/wetext ("no frontend is avaliable"). */
    TextNormalizer NONE = (text, chinese) -> text;

    /**
     * Normalises stripped, non-empty text. {@code chinese} selects the Chinese model (the text contains a
     * CJK unified ideograph) or the English one.
     */
    String normalize(String text, boolean chinese);
}
