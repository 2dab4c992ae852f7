package dev.cosyvoice4j.engine;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class SystemPromptsTest {
    @Test
    void bareTextGetsTheOfficialDefaultPrompt() {
        assertEquals("You are a helpful assistant.<|endofprompt|>Transcript.", SystemPrompts.promptText("Transcript."));
        assertEquals("You are a helpful assistant. Speak slowly.<|endofprompt|>", SystemPrompts.instruction(" Speak slowly. "));
        assertEquals("You are a helpful assistant.<|endofprompt|>Hello.", SystemPrompts.crossLingualText("Hello."));
    }

    @Test
    void textWithItsOwnPromptIsKept() {
        String own = "You are a pirate.<|endofprompt|>Arr.";
        assertEquals(own, SystemPrompts.promptText(own));
        assertEquals(own, SystemPrompts.instruction(own));
        assertEquals(own, SystemPrompts.crossLingualText(own));
        assertNull(SystemPrompts.promptText("  "));
        assertNull(SystemPrompts.instruction(null));
    }

    @Test
    void theRequestAppliesThemOnlyWhenAsked() {
        Path wav = Path.of("prompt.wav");
        SynthesisRequest strict = SynthesisRequest.builder(Mode.ZERO_SHOT).text("Hi.").promptText("Transcript.").promptWav(wav).build();
        assertEquals("Transcript.", strict.promptText());
        SynthesisRequest lenient = SynthesisRequest.builder(Mode.ZERO_SHOT).text("Hi.").promptText("Transcript.").promptWav(wav)
                .defaultSystemPrompt(true).build();
        assertEquals("You are a helpful assistant.<|endofprompt|>Transcript.", lenient.promptText());
        SynthesisRequest cross = SynthesisRequest.builder(Mode.CROSS_LINGUAL).text("Hi.").promptWav(wav).defaultSystemPrompt(true).build();
        assertEquals("You are a helpful assistant.<|endofprompt|>Hi.", cross.text());
    }
}
