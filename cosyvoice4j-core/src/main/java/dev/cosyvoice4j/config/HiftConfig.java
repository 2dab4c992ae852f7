package dev.cosyvoice4j.config;

import java.util.List;

/** {@code hift: !new:cosyvoice.hifigan.generator.CausalHiFTGenerator} of cosyvoice3.yaml. */
public record HiftConfig(
        int inChannels,                              // in_channels (80)
        int baseChannels,                            // base_channels (512 real)
        int nbHarmonics,                             // nb_harmonics (8)
        int samplingRate,                            // sampling_rate (24000)
        double nsfAlpha,                             // nsf_alpha (0.1)
        double nsfSigma,                             // nsf_sigma (0.003)
        double nsfVoicedThreshold,                   // nsf_voiced_threshold (10)
        List<Integer> upsampleRates,                 // upsample_rates [8, 5, 3]
        List<Integer> upsampleKernelSizes,           // upsample_kernel_sizes [16, 11, 7]
        int istftNFft,                               // istft_params.n_fft (16)
        int istftHopLen,                             // istft_params.hop_len (4)
        List<Integer> resblockKernelSizes,           // resblock_kernel_sizes
        List<List<Integer>> resblockDilationSizes,   // resblock_dilation_sizes
        List<Integer> sourceResblockKernelSizes,     // source_resblock_kernel_sizes
        List<List<Integer>> sourceResblockDilationSizes, // source_resblock_dilation_sizes
        double lreluSlope,                           // lrelu_slope (0.1)
        double audioLimit,                           // audio_limit (0.99)
        int convPreLookRight,                        // conv_pre_look_right (4)
        int f0NumClass,                              // f0_predictor.num_class (1)
        int f0InChannels,                            // f0_predictor.in_channels (80)
        int f0CondChannels) {                        // f0_predictor.cond_channels
}
