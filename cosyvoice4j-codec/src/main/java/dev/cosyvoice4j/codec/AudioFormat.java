package dev.cosyvoice4j.codec;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The {@code response_format} values of OpenAI's {@code POST /v1/audio/speech}. */
public enum AudioFormat {
    WAV("audio/wav"),
    /** Raw 16-bit signed little-endian mono; the caller adds {@code ;rate=<hz>} to the content type. */
    PCM("audio/pcm"),
    FLAC("audio/flac"),
    MP3("audio/mpeg"),
    /** Ogg Opus, as OpenAI sends it. */
    OPUS("audio/ogg"),
    AAC("audio/aac");

    private final String contentType;

    AudioFormat(String contentType) { this.contentType = contentType; }

    public String contentType() { return contentType; }

    /** The file name extension, without the dot. */
    public String extension() { return id(); }

    /** The lower-case name used by the OpenAI API. */
    public String id() { return name().toLowerCase(Locale.ROOT); }

    /** Parses an API name, ignoring case. */
    public static AudioFormat parse(String s) {
        if (s != null) {
            for (AudioFormat f : values()) if (f.id().equalsIgnoreCase(s)) return f;
        }
        throw new IllegalArgumentException("unknown audio format '" + s + "'; valid: " + list(values()));
    }

    static String list(AudioFormat... formats) {
        return Arrays.stream(formats).map(AudioFormat::id).collect(Collectors.joining(", "));
    }
}
