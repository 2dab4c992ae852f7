package dev.cosyvoice4j.hub;

import java.util.regex.Pattern;

/** A repository id on a hub, {@code owner/name}, as the Hugging Face Hub and ModelScope spell them. */
public record ModelId(String owner, String name) {
    // the Hub's rule: letters, digits, '-', '_', '.'; no "--" or ".." (they would break models--owner--name)
    private static final Pattern PART = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,95}");

    public ModelId {
        if (!validPart(owner) || !validPart(name)) {
            throw new IllegalArgumentException("model id '" + owner + "/" + name + "': expected owner/name of letters, digits, "
                    + "'-', '_' and '.' (no '--' or '..')");
        }
    }

    /** {@code owner/name} as a model id; an {@link IllegalArgumentException} naming the problem otherwise. */
    public static ModelId parse(String id) {
        int slash = id.indexOf('/');
        if (slash < 0 || slash != id.lastIndexOf('/')) {
            throw new IllegalArgumentException("model id '" + id + "': expected owner/name, e.g. FunAudioLLM/Fun-CosyVoice3-0.5B-2512");
        }
        return new ModelId(id.substring(0, slash), id.substring(slash + 1));
    }

    /** Whether {@code s} has the shape of a model id (and so is not meant as a relative directory path). */
    public static boolean looksLikeId(String s) {
        int slash = s.indexOf('/');
        return slash > 0 && slash == s.lastIndexOf('/') && validPart(s.substring(0, slash)) && validPart(s.substring(slash + 1));
    }

    private static boolean validPart(String s) {
        return s != null && PART.matcher(s).matches() && !s.contains("--") && !s.contains("..");
    }

    /** The repository's folder in the Hugging Face cache: {@code models--owner--name}. */
    public String hfFolderName() { return "models--" + owner + "--" + name; }

    @Override
    public String toString() { return owner + "/" + name; }
}
