package dev.cosyvoice4j.codec;

import de.sciss.jump3r.mp3.BitStream;
import de.sciss.jump3r.mp3.GainAnalysis;
import de.sciss.jump3r.mp3.ID3Tag;
import de.sciss.jump3r.mp3.Lame;
import de.sciss.jump3r.mp3.LameGlobalFlags;
import de.sciss.jump3r.mp3.MPEGMode;
import de.sciss.jump3r.mp3.Presets;
import de.sciss.jump3r.mp3.Quantize;
import de.sciss.jump3r.mp3.QuantizePVT;
import de.sciss.jump3r.mp3.Reservoir;
import de.sciss.jump3r.mp3.Takehiro;
import de.sciss.jump3r.mp3.VBRTag;
import de.sciss.jump3r.mp3.VbrMode;
import de.sciss.jump3r.mp3.Version;
import de.sciss.jump3r.mpg.Common;
import de.sciss.jump3r.mpg.Interface;
import de.sciss.jump3r.mpg.MPGLib;

import java.util.Arrays;

/**
 * MP3 (ISO/IEC 11172-3 and 13818-3 Layer III) through jump3r, a Java port of LAME 3.98.4 (LGPL-2.1+), used the way
 * LAME's own API is: lame_init, lame_init_params, lame_encode_buffer_int, lame_encode_flush. Constant
 * {@value #BITRATE_KBPS} kbps mono; 24 kHz input gives MPEG-2 (LSF) frames of 576 samples. No Xing/LAME tag and no
 * ID3 tag: a stream cannot go back to fill in a tag, so every byte is an audio frame and is sent as soon as LAME has
 * it (LAME holds about 1,700 samples back for its look-ahead; {@link #finish()} flushes them).
 */
final class Mp3Encoder extends StreamEncoder {
    /** Speech at 24 kHz needs no more; the most MPEG-2 allows is 160. */
    static final int BITRATE_KBPS = 64;
    /** LAME's -q: 0 best and slowest, 9 worst; 5 is LAME's default trade-off. */
    static final int QUALITY = 5;
    private static final int[] MPEG_RATES = {8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000};

    private final Lame lame = new Lame();
    private final LameGlobalFlags flags;
    private int[] pcm = new int[0];
    private byte[] out = new byte[7200];

    Mp3Encoder(int sampleRateHz) {
        // the module graph LAME's C sources express with headers (as jump3r's own LameEncoder wires it)
        GainAnalysis ga = new GainAnalysis();
        BitStream bs = new BitStream();
        Presets presets = new Presets();
        QuantizePVT qupvt = new QuantizePVT();
        Quantize qu = new Quantize();
        VBRTag vbr = new VBRTag();
        Version ver = new Version();
        ID3Tag id3 = new ID3Tag();
        Reservoir rv = new Reservoir();
        Takehiro tak = new Takehiro();
        MPGLib mpg = new MPGLib();
        Interface intf = new Interface();
        Common common = new Common();
        lame.setModules(ga, bs, presets, qupvt, qu, vbr, ver, id3, mpg);
        bs.setModules(ga, mpg, ver, vbr);
        id3.setModules(bs, ver);
        presets.setModules(lame);
        qu.setModules(bs, rv, qupvt, tak);
        qupvt.setModules(tak, rv, lame.enc.psy);
        rv.setModules(bs);
        tak.setModules(qupvt);
        vbr.setModules(lame, bs, ver);
        mpg.setModules(intf, common);
        intf.setModules(vbr, common);

        flags = lame.lame_init();
        flags.num_channels = 1;
        flags.in_samplerate = sampleRateHz;
        if (Arrays.stream(MPEG_RATES).anyMatch(r -> r == sampleRateHz)) flags.out_samplerate = sampleRateHz; // else LAME resamples
        flags.mode = MPEGMode.MONO;
        flags.VBR = VbrMode.vbr_off;
        flags.brate = BITRATE_KBPS;
        flags.quality = QUALITY;
        flags.bWriteVbrTag = false;
        flags.write_id3tag_automatic = false;
        int rc = lame.lame_init_params(flags);
        if (rc < 0) throw new IllegalArgumentException("LAME cannot encode " + sampleRateHz + " Hz mono at " + BITRATE_KBPS + " kbps (" + rc + ")");
    }

    @Override
    byte[] encodeChecked(float[] samples, int offset, int length) {
        if (length == 0) return NOTHING;
        if (pcm.length < length) pcm = new int[length];
        for (int i = 0; i < length; i++) pcm[i] = Pcm16.toShort(samples[offset + i]) << 16;   // LAME's int input is full-scale 32-bit
        int need = (int) (1.25 * length) + 7200;          // LAME's documented worst case
        if (out.length < need) out = new byte[need];
        int n = lame.lame_encode_buffer_int(flags, pcm, pcm, length, out, 0, out.length);
        if (n < 0) throw new IllegalStateException("LAME encode error " + n);
        return Arrays.copyOf(out, n);
    }

    @Override
    byte[] finishChecked() {
        int n = lame.lame_encode_flush(flags, out, 0, out.length);
        lame.lame_close(flags);
        if (n < 0) throw new IllegalStateException("LAME flush error " + n);
        return Arrays.copyOf(out, n);
    }
}
