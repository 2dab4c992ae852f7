package dev.cosyvoice4j.text;

import java.util.List;

/**
 * The special tokens CosyVoice3 adds to the Qwen2 tokenizer at run time, in the official order
 * ({@code CosyVoice3Tokenizer} in cosyvoice/tokenizer/tokenizer.py: {@code add_special_tokens} with
 * eos = pad = {@code <|endoftext|>} and these 280 {@code additional_special_tokens}). Strings already in the
 * vocabulary ({@code <|im_start|>}, {@code <|im_end|>}) keep their id; the others get the next free ids, so
 * {@code <|endofprompt|>} is 151646 and {@code [ǜ]} 151923 with the Qwen2 base vocabulary. Checked by the
 * golden case {@code tokenizer/encode} (its {@code added_tokens} table and {@code len_tokenizer}).
 */
public final class CosyVoice3SpecialTokens {
    private CosyVoice3SpecialTokens() {}

    /** End-of-text token of the Qwen2 base vocabulary; also CosyVoice3's eos and pad token. */
    public static final String END_OF_TEXT = "<|endoftext|>";

    /** Separates the system instruction from the text; the CosyVoice3 LLM asserts its id is in the input. */
    public static final String END_OF_PROMPT = "<|endofprompt|>";

    /** The id the official CosyVoice3LM hard-codes for {@link #END_OF_PROMPT} (llm.py: "151646 is <|endofprompt|>"). */
    public static final int END_OF_PROMPT_ID = 151646;

    /** The 280 additional special tokens, in the official order. */
    public static final List<String> ADDITIONAL = List.of(
            "<|im_start|>", "<|im_end|>", "<|endofprompt|>", "[breath]", "<strong>", "</strong>", "[noise]",
            "[laughter]", "[cough]", "[clucking]", "[accent]", "[quick_breath]", "<laughter>", "</laughter>",
            "[hissing]", "[sigh]", "[vocalized-noise]", "[lipsmack]", "[mn]", "<|endofsystem|>", "[AA]", "[AA0]",
            "[AA1]", "[AA2]", "[AE]", "[AE0]", "[AE1]", "[AE2]", "[AH]", "[AH0]", "[AH1]", "[AH2]", "[AO]", "[AO0]",
            "[AO1]", "[AO2]", "[AW]", "[AW0]", "[AW1]", "[AW2]", "[AY]", "[AY0]", "[AY1]", "[AY2]", "[B]", "[CH]",
            "[D]", "[DH]", "[EH]", "[EH0]", "[EH1]", "[EH2]", "[ER]", "[ER0]", "[ER1]", "[ER2]", "[EY]", "[EY0]",
            "[EY1]", "[EY2]", "[F]", "[G]", "[HH]", "[IH]", "[IH0]", "[IH1]", "[IH2]", "[IY]", "[IY0]", "[IY1]",
            "[IY2]", "[JH]", "[K]", "[L]", "[M]", "[N]", "[NG]", "[OW]", "[OW0]", "[OW1]", "[OW2]", "[OY]", "[OY0]",
            "[OY1]", "[OY2]", "[P]", "[R]", "[S]", "[SH]", "[T]", "[TH]", "[UH]", "[UH0]", "[UH1]", "[UH2]", "[UW]",
            "[UW0]", "[UW1]", "[UW2]", "[V]", "[W]", "[Y]", "[Z]", "[ZH]", "[a]", "[ai]", "[an]", "[ang]", "[ao]",
            "[b]", "[c]", "[ch]", "[d]", "[e]", "[ei]", "[en]", "[eng]", "[f]", "[g]", "[h]", "[i]", "[ian]", "[in]",
            "[ing]", "[iu]", "[ià]", "[iàn]", "[iàng]", "[iào]", "[iá]", "[ián]", "[iáng]", "[iáo]", "[iè]", "[ié]",
            "[iòng]", "[ióng]", "[iù]", "[iú]", "[iā]", "[iān]", "[iāng]", "[iāo]", "[iē]", "[iě]", "[iōng]", "[iū]",
            "[iǎ]", "[iǎn]", "[iǎng]", "[iǎo]", "[iǒng]", "[iǔ]", "[j]", "[k]", "[l]", "[m]", "[n]", "[o]", "[ong]",
            "[ou]", "[p]", "[q]", "[r]", "[s]", "[sh]", "[t]", "[u]", "[uang]", "[ue]", "[un]", "[uo]", "[uà]",
            "[uài]", "[uàn]", "[uàng]", "[uá]", "[uái]", "[uán]", "[uáng]", "[uè]", "[ué]", "[uì]", "[uí]", "[uò]",
            "[uó]", "[uā]", "[uāi]", "[uān]", "[uāng]", "[uē]", "[uě]", "[uī]", "[uō]", "[uǎ]", "[uǎi]", "[uǎn]",
            "[uǎng]", "[uǐ]", "[uǒ]", "[vè]", "[w]", "[x]", "[y]", "[z]", "[zh]", "[à]", "[ài]", "[àn]", "[àng]",
            "[ào]", "[á]", "[ái]", "[án]", "[áng]", "[áo]", "[è]", "[èi]", "[èn]", "[èng]", "[èr]", "[é]", "[éi]",
            "[én]", "[éng]", "[ér]", "[ì]", "[ìn]", "[ìng]", "[í]", "[ín]", "[íng]", "[ò]", "[òng]", "[òu]", "[ó]",
            "[óng]", "[óu]", "[ù]", "[ùn]", "[ú]", "[ún]", "[ā]", "[āi]", "[ān]", "[āng]", "[āo]", "[ē]", "[ēi]",
            "[ēn]", "[ēng]", "[ě]", "[ěi]", "[ěn]", "[ěng]", "[ěr]", "[ī]", "[īn]", "[īng]", "[ō]", "[ōng]", "[ōu]",
            "[ū]", "[ūn]", "[ǎ]", "[ǎi]", "[ǎn]", "[ǎng]", "[ǎo]", "[ǐ]", "[ǐn]", "[ǐng]", "[ǒ]", "[ǒng]", "[ǒu]",
            "[ǔ]", "[ǔn]", "[ǘ]", "[ǚ]", "[ǜ]");
}
