package dev.cosyvoice4j.frontend.audio;

import dev.cosyvoice4j.config.CosyVoiceYaml;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The arguments of the flow prompt's {@code matcha.utils.audio.mel_spectrogram}, as a model's yaml gives them under
 * {@code feat_extractor}. CosyVoice3 uses fmax None (12 kHz); CosyVoice2 8 kHz — reusing one for the other is a
 * silent error, so they are read from the model directory, never assumed.
 *
 * @param fmaxHz NaN for {@code fmax: null} (Nyquist)
 */
public record MelSpec(int sampleRateHz, int nFft, int numMels, int hopSize, int winSize, double fminHz, double fmaxHz) {
    /** cosyvoice3.yaml: 24 kHz, n_fft 1920, 80 mels, hop 480, window 1920, fmin 0, fmax None. */
    public static final MelSpec COSYVOICE3 = new MelSpec(24000, 1920, 80, 480, 1920, 0, Double.NaN);

    public MelSpec {
        if (sampleRateHz < 1 || nFft < 2 || numMels < 1 || hopSize < 1 || winSize < 1 || winSize > nFft || nFft - hopSize < 0) {
            throw new IllegalArgumentException("unsupported prompt mel settings: " + this);
        }
    }

    /** The yaml names these model directories' configuration (CosyVoice3 first). */
    static final String[] YAML_FILES = {"cosyvoice3.yaml", "cosyvoice2.yaml"};

    /** {@code feat_extractor} of the model directory's yaml; {@link #COSYVOICE3} when the directory has no yaml. */
    public static MelSpec forModelDir(Path modelDir) {
        for (String name : YAML_FILES) {
            Path f = modelDir.resolve(name);
            if (Files.isRegularFile(f)) return of(CosyVoiceYaml.read(f));
        }
        return COSYVOICE3;
    }

    static MelSpec of(CosyVoiceYaml y) {
        String p = "feat_extractor.";
        return new MelSpec(y.getInt(p + "sampling_rate"), y.getInt(p + "n_fft"), y.getInt(p + "num_mels"),
                y.getInt(p + "hop_size"), y.getInt(p + "win_size"), y.getDouble(p + "fmin"), optional(y, p + "fmax"));
    }

    private static double optional(CosyVoiceYaml y, String path) {
        if (!y.has(path)) return Double.NaN;
        String text = y.getString(path).trim();
        return text.equals("null") || text.equals("~") || text.isEmpty() ? Double.NaN : y.getDouble(path);
    }
}
