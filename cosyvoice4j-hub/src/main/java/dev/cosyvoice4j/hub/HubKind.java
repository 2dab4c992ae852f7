package dev.cosyvoice4j.hub;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Where models come from: the Hugging Face Hub (or a mirror of it), or ModelScope. */
public enum HubKind {
    HUGGING_FACE("huggingface"), MODELSCOPE("modelscope");

    private final String label;

    HubKind(String label) { this.label = label; }

    public String label() { return label; }

    /** The hub called {@code name} ({@code huggingface}, {@code modelscope}); an error listing both otherwise. */
    public static HubKind parse(String name) {
        for (HubKind k : values()) if (k.label.equals(name.toLowerCase(Locale.ROOT).replace("-", "").replace("_", ""))) return k;
        throw new IllegalArgumentException("unknown hub '" + name + "' (" + Arrays.stream(values()).map(HubKind::label)
                .collect(Collectors.joining(", ")) + ")");
    }
}
