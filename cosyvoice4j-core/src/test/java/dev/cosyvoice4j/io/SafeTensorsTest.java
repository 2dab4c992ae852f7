package dev.cosyvoice4j.io;

import dev.cosyvoice4j.tensor.DType;
import dev.cosyvoice4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class SafeTensorsTest {
    @TempDir Path tmp;

    @Test
    void readsTheBlankEnStub() {
        try (SafeTensors st = SafeTensors.open(PtArchiveTest.TINY.resolve("CosyVoice-BlankEN/model.safetensors"))) {
            assertEquals(1, st.tensors().size());
            Tensor norm = st.tensors().get("model.norm.weight");
            assertEquals(DType.BF16, norm.dtype());
            assertArrayEquals(new long[]{56}, norm.shape());
            float x = norm.getFloat(0); // norm weights are 1 + N(0, 0.1)-ish
            assertTrue(x > 0.5f && x < 1.5f, "got " + x);
            assertEquals("pt", st.metadata().get("format"));
        }
    }

    @Test
    void rangePastTheDataIsReported() throws Exception {
        Path f = write(tmp.resolve("bad.safetensors"),
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", new byte[8]);
        var e = assertThrows(ModelFormatException.class, () -> SafeTensors.open(f));
        PtArchiveTest.assertOneLine(e, "bad.safetensors", "run past");
        Path g = write(tmp.resolve("size.safetensors"),
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,16]}}", new byte[16]);
        PtArchiveTest.assertOneLine(assertThrows(ModelFormatException.class, () -> SafeTensors.open(g)), "size.safetensors", "needs 12");
        Path h = tmp.resolve("trunc.safetensors");
        Files.write(h, new byte[]{(byte) 200, 0, 0, 0, 0, 0, 0, 0, '{'});
        PtArchiveTest.assertOneLine(assertThrows(ModelFormatException.class, () -> SafeTensors.open(h)), "trunc.safetensors", "truncated");
    }

    @Test
    void readsF32() throws Exception {
        byte[] data = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(2.5f).putFloat(-1f).array();
        Path f = write(tmp.resolve("ok.safetensors"),
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[0,8]}}", data);
        try (SafeTensors st = SafeTensors.open(f)) {
            assertEquals(-1f, st.tensors().get("a").getFloat(1));
        }
    }

    static Path write(Path f, String json, byte[] data) throws Exception {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
        out.writeBytes(h);
        out.writeBytes(data);
        Files.write(f, out.toByteArray());
        return f;
    }
}
