package dev.cosyvoice4j.frontend;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.cosyvoice4j.frontend.audio.FeatureMatrix;
import dev.cosyvoice4j.io.ModelFormatException;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;

/**
 * The CAM++ speaker-verification model {@code campplus.onnx}: mean-normalised Kaldi fbank {@code [1, T, 80]}
 * -> speaker embedding {@code [1, 192]}. Input/output names come from the model (input 0, output 0).
 * Thread-safe; close once.
 *
 * <p>Ports {@code cosyvoice/cli/frontend.py:108-118} ({@code _extract_spk_embedding}). Checked by
 * {@code frontend/*}{@code /campplus} (embedding).
 */
public final class CampPlus implements AutoCloseable {
    private final OnnxModel model;

    private CampPlus(OnnxModel model) {
        this.model = model;
        model.requireInput(0, "fbank [1, T, 80]", OnnxJavaType.FLOAT);
        model.requireOutputs();
    }

    public static CampPlus load(Path onnxFile, FrontendOptions options) {
        OnnxModel m = OnnxModel.load(onnxFile, options);
        try {
            return new CampPlus(m);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** Input names, output names and file, for diagnostics. */
    public String describe() { return model.describe(); }

    /** The embedding of a mean-normalised fbank {@code [T, bins]} (T >= 1). */
    public float[] embed(FeatureMatrix cmnFbank) {
        if (cmnFbank.rows() < 1) throw new IllegalArgumentException("speaker embedding needs at least one fbank frame");
        try (OnnxTensor in = OnnxTensor.createTensor(model.env, FloatBuffer.wrap(cmnFbank.values()),
                new long[] {1, cmnFbank.rows(), cmnFbank.cols()});
             OrtSession.Result r = model.session.run(Map.of(model.inputNames.get(0), in))) {
            OnnxValue v = r.get(0);
            if (!(v instanceof OnnxTensor t) || t.getInfo().type != OnnxJavaType.FLOAT) {
                throw new ModelFormatException(model.file, "output 0 is not a float tensor: " + v.getInfo());
            }
            FloatBuffer fb = t.getFloatBuffer();
            float[] out = new float[fb.remaining()];
            fb.get(out);
            if (out.length == 0) throw new ModelFormatException(model.file, "empty speaker embedding");
            return out;
        } catch (OrtException e) {
            throw new IllegalStateException(model.file + ": ONNX Runtime failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() { model.close(); }
}
