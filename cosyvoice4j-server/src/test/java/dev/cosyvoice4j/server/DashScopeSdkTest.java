package dev.cosyvoice4j.server;

import com.alibaba.dashscope.audio.tts.SpeechSynthesisResult;
import com.alibaba.dashscope.audio.ttsv2.SpeechSynthesisAudioFormat;
import com.alibaba.dashscope.audio.ttsv2.SpeechSynthesisParam;
import com.alibaba.dashscope.audio.ttsv2.SpeechSynthesizer;
import com.alibaba.dashscope.common.ResultCallback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The official DashScope Java SDK ({@code com.alibaba:dashscope-sdk-java}) as a conformance client of
 * {@code /api-ws/v1/inference}: a streaming {@code SpeechSynthesizer} call whose callback receives audio before
 * {@code streamingComplete}, then the rest and {@code onComplete}.
 */
class DashScopeSdkTest {
    @TempDir Path speakers;

    @Test
    void speechSynthesizerStreamsAudioBeforeStreamingComplete() throws Exception {
        try (TestServer t = TestServer.start(TestServer.MODEL_A, speakers,
                ServerOptions.defaults().withApiKey("sdk-key").withWsIdleTimeout(Duration.ofMinutes(3)))) {
            assertTimeoutPreemptively(Duration.ofMinutes(4), () -> {
                String url = "ws://127.0.0.1:" + t.server.port() + SpeechServer.DASHSCOPE_PATH;
                AtomicLong bytes = new AtomicLong();
                CountDownLatch firstAudio = new CountDownLatch(1), complete = new CountDownLatch(1);
                AtomicReference<Exception> error = new AtomicReference<>();
                ResultCallback<SpeechSynthesisResult> callback = new ResultCallback<>() {
                    @Override
                    public void onEvent(SpeechSynthesisResult r) {
                        ByteBuffer audio = r.getAudioFrame();
                        if (audio != null && audio.remaining() > 0) {
                            bytes.addAndGet(audio.remaining());
                            firstAudio.countDown();
                        }
                    }

                    @Override
                    public void onComplete() { complete.countDown(); }

                    @Override
                    public void onError(Exception e) {
                        error.set(e);
                        firstAudio.countDown();
                        complete.countDown();
                    }
                };
                SpeechSynthesisParam param = SpeechSynthesisParam.builder().apiKey("sdk-key").model("cosyvoice-v3-flash")
                        .voice("alice").format(SpeechSynthesisAudioFormat.PCM_24000HZ_MONO_16BIT)
                        .instruction("请用广东话表达。").seed(7).build();
                SpeechSynthesizer synthesizer = new SpeechSynthesizer(param, callback, url);
                try {
                    synthesizer.streamingCall("好少咯，");
                    synthesizer.streamingCall("一般系放嗰啲国庆啊，");
                    synthesizer.streamingCall("中秋嗰啲可能会咯。");
                    assertTrue(firstAudio.await(120, TimeUnit.SECONDS), "no audio before streamingComplete");
                    assertNull(error.get());
                    long before = bytes.get();
                    assertTrue(before > 0);
                    synthesizer.streamingCall("然后结束。");
                    synthesizer.streamingComplete(120_000);
                    assertTrue(complete.await(120, TimeUnit.SECONDS));
                    assertNull(error.get());
                    assertTrue(bytes.get() > before, "the rest of the audio after streamingComplete");
                    assertEquals(0, bytes.get() % 2);
                } finally {
                    synthesizer.getDuplexApi().close(1000, "bye");
                }

                // the blocking call(text): one continue-task then finish-task; wav at 22050 Hz (resampled)
                SpeechSynthesisParam wavParam = SpeechSynthesisParam.builder().apiKey("sdk-key").model("cosyvoice-v3-flash")
                        .voice("alice").format(SpeechSynthesisAudioFormat.WAV_22050HZ_MONO_16BIT)
                        .instruction("请用广东话表达。").seed(7).build();
                SpeechSynthesizer blocking = new SpeechSynthesizer(wavParam, null, url);
                try {
                    ByteBuffer wav = blocking.call("好少咯，一般系放嗰啲国庆啊。");
                    assertTrue(wav != null && wav.remaining() > 44, "no audio from call()");
                    byte[] w = new byte[wav.remaining()];
                    wav.get(w);
                    assertEquals("RIFF", new String(w, 0, 4, java.nio.charset.StandardCharsets.US_ASCII));
                    assertEquals(22050, ByteBuffer.wrap(w, 24, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt());
                } finally {
                    blocking.getDuplexApi().close(1000, "bye");
                }
            });
        }
    }
}
