package dev.cosyvoice4j.frontend;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.cosyvoice4j.frontend.audio.FeatureMatrix;
import dev.cosyvoice4j.io.ModelFormatException;

import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The S3 speech tokenizer {@code speech_tokenizer_v3.onnx}: whisper log-mel {@code feats [1, 128, T]} float and
 * {@code feats_length [1]} (int32, or int64 if the model says so) -> {@code indices [1, N]} (~25 Hz), read as
 * int. Names and dtypes are taken from the model (inputs 0 and 1, output 0). Thread-safe; close once.
 *
 * <p>Ports {@code cosyvoice/cli/frontend.py:95-106} ({@code _extract_speech_token}). Checked by
 * {@code frontend/*}{@code /speech_tokenizer} (tokens) and {@code frontend/speech_tokenizer_odd_length}.
 */
public final class SpeechTokenizer implements AutoCloseable {
    private final OnnxModel model;
    private final OnnxJavaType lengthType;

    private SpeechTokenizer(OnnxModel model) {
        this.model = model;
        model.requireInput(0, "feats [1, 128, T]", OnnxJavaType.FLOAT);
        this.lengthType = model.requireInput(1, "feats_length [1]", OnnxJavaType.INT32, OnnxJavaType.INT64);
        model.requireOutputs();
    }

    public static SpeechTokenizer load(Path onnxFile, FrontendOptions options) {
        OnnxModel m = OnnxModel.load(onnxFile, options);
        try {
            return new SpeechTokenizer(m);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    public String describe() { return model.describe(); }

    /** Tokens of features {@code [bins, T]} (row-major, time last). */
    public int[] tokens(FeatureMatrix feats) {
        if (feats.cols() < 1) throw new IllegalArgumentException("speech tokenizer needs at least one feature frame");
        long[] shape = {1, feats.rows(), feats.cols()};
        Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
        try {
            inputs.put(model.inputNames.get(0), OnnxTensor.createTensor(model.env, FloatBuffer.wrap(feats.values()), shape));
            inputs.put(model.inputNames.get(1), lengthType == OnnxJavaType.INT32
                    ? OnnxTensor.createTensor(model.env, IntBuffer.wrap(new int[] {feats.cols()}), new long[] {1})
                    : OnnxTensor.createTensor(model.env, LongBuffer.wrap(new long[] {feats.cols()}), new long[] {1}));
            try (OrtSession.Result r = model.session.run(inputs)) {
                return toInts(r.get(0));
            }
        } catch (OrtException e) {
            throw new IllegalStateException(model.file + ": ONNX Runtime failed: " + e.getMessage(), e);
        } finally {
            for (OnnxTensor t : inputs.values()) t.close();
        }
    }

    private int[] toInts(OnnxValue v) {
        if (!(v instanceof OnnxTensor t)) throw new ModelFormatException(model.file, "output 0 is not a tensor: " + v.getInfo());
        OnnxJavaType type = t.getInfo().type;
        int[] out;
        if (type == OnnxJavaType.INT64) {
            LongBuffer b = t.getLongBuffer();
            out = new int[b.remaining()];
            for (int i = 0; i < out.length; i++) out[i] = Math.toIntExact(b.get());
        } else if (type == OnnxJavaType.INT32) {
            IntBuffer b = t.getIntBuffer();
            out = new int[b.remaining()];
            b.get(out);
        } else {
            throw new ModelFormatException(model.file, "output 0 has type " + type + ", expected int64 or int32 token ids");
        }
        for (int id : out) if (id < 0) throw new ModelFormatException(model.file, "negative speech token " + id);
        return out;
    }

    @Override
    public void close() { model.close(); }
}
