package dev.cosyvoice4j.codec;

import de.sciss.jump3r.mp3.MP3Data;
import de.sciss.jump3r.mp3.VBRTag;
import de.sciss.jump3r.mpg.Common;
import de.sciss.jump3r.mpg.Interface;
import de.sciss.jump3r.mpg.MPGLib;

import java.util.Arrays;

/** Decodes MP3 with jump3r's port of mpglib (LAME's hip_decode API), frame by frame. */
final class Mp3TestDecoder {
    private Mp3TestDecoder() {}

    static short[] decode(byte[] mp3) {
        MPGLib mpg = new MPGLib();
        Interface intf = new Interface();
        Common common = new Common();
        mpg.setModules(intf, common);
        intf.setModules(new VBRTag(), common);
        MPGLib.mpstr_tag hip = mpg.hip_decode_init();
        short[] left = new short[1152], right = new short[1152];
        short[] out = new short[0];
        MP3Data data = new MP3Data();
        for (Mp3Frames.Header h : Mp3Frames.parse(mp3)) {     // one frame in, then whatever it releases
            byte[] frame = Arrays.copyOfRange(mp3, h.offset(), h.offset() + h.length());
            int n = mpg.hip_decode1_headers(hip, frame, frame.length, left, right, data);
            while (n != 0) {
                if (n < 0) throw new IllegalStateException("mpglib error " + n);
                out = Arrays.copyOf(out, out.length + n);
                System.arraycopy(left, 0, out, out.length - n, n);
                n = mpg.hip_decode1_headers(hip, new byte[0], 0, left, right, data);
            }
        }
        mpg.hip_decode_exit(hip);
        return out;
    }
}
