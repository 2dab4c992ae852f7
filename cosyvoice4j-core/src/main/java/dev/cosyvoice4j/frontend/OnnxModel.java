package dev.cosyvoice4j.frontend;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.cosyvoice4j.io.ModelFormatException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One ONNX Runtime session with its input/output names and tensor infos read from the model (the official
 * frontend addresses inputs by position, {@code get_inputs()[i].name}). Sessions are created once and shared:
 * {@code OrtSession.run} is thread-safe. The process-wide {@link OrtEnvironment} is never closed here.
 */
final class OnnxModel implements AutoCloseable {
    final Path file;
    final OrtEnvironment env;
    final OrtSession session;
    final List<String> inputNames = new ArrayList<>();
    final List<TensorInfo> inputInfos = new ArrayList<>();
    final List<String> outputNames = new ArrayList<>();
    final List<TensorInfo> outputInfos = new ArrayList<>();

    private OnnxModel(Path file, OrtEnvironment env, OrtSession session) throws OrtException {
        this.file = file;
        this.env = env;
        this.session = session;
        collect(session.getInputInfo(), inputNames, inputInfos, "input");
        collect(session.getOutputInfo(), outputNames, outputInfos, "output");
    }

    private void collect(Map<String, NodeInfo> infos, List<String> names, List<TensorInfo> out, String what) {
        for (Map.Entry<String, NodeInfo> e : infos.entrySet()) {
            if (!(e.getValue().getInfo() instanceof TensorInfo ti)) {
                throw new ModelFormatException(file, what + " '" + e.getKey() + "' is not a tensor: " + e.getValue().getInfo());
            }
            names.add(e.getKey());
            out.add(ti);
        }
    }

    static OnnxModel load(Path file, FrontendOptions options) {
        if (!Files.isRegularFile(file)) throw new ModelFormatException(file, "ONNX model not found");
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (options.intraOpThreads() > 0) so.setIntraOpNumThreads(options.intraOpThreads());
            so.setInterOpNumThreads(1);
            OrtSession session = env.createSession(file.toString(), so);
            try {
                return new OnnxModel(file, env, session);
            } catch (RuntimeException | OrtException e) {
                session.close();
                throw e;
            }
        } catch (OrtException e) {
            throw new ModelFormatException(file, "ONNX Runtime cannot load the model: " + e.getMessage(), e);
        }
    }

    /** Checks the model has at least {@code n} inputs and the input's element type is one of {@code allowed}. */
    OnnxJavaType requireInput(int index, String role, OnnxJavaType... allowed) {
        if (inputNames.size() <= index) {
            throw new ModelFormatException(file, "expected at least " + (index + 1) + " inputs (" + role + "), the model has "
                    + inputNames.size() + ": " + inputNames);
        }
        OnnxJavaType t = inputInfos.get(index).type;
        for (OnnxJavaType a : allowed) if (a == t) return t;
        throw new ModelFormatException(file, "input " + index + " '" + inputNames.get(index) + "' (" + role + ") has type "
                + t + ", expected one of " + List.of(allowed));
    }

    void requireOutputs() {
        if (outputNames.isEmpty()) throw new ModelFormatException(file, "the model has no outputs");
    }

    String describe() {
        return file.getFileName() + " inputs " + inputNames + " outputs " + outputNames;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("closing " + file + ": " + e.getMessage(), e);
        }
    }
}
