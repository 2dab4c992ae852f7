package dev.cosyvoice4j.text.normalize;

import dev.cosyvoice4j.text.normalize.en.EnglishNormalizer;
import java.util.Locale;

/**
 * Throughput of {@link EnglishNormalizer} on short sentences, one thread:
 * {@code java -cp ... dev.cosyvoice4j.text.normalize.EnglishNormalizerBench [seconds]}.
 */
public final class EnglishNormalizerBench {
    private EnglishNormalizerBench() {}

    static final String[] SENTENCES = {
        "The meeting is on jan. 5, 2012 at 10:30 a.m. in room 12.",
        "It costs $12.05, or about 3.5 kg of apples.",
        "Call 123-123-5678 before 5 pm.",
        "In 1988 about 2,500 people lived in the 3rd district.",
        "The plan will help you lose 3-4 pounds the first week.",
        "He ran 10 km in 45 minutes and finished 21st.",
        "Send it to cdf1@abc.edu by 2024-05-06.",
        "Add 3/4 cup of sugar and bake at 180 °C for 25 min.",
        "World War II ended in 1945, after 6 years.",
        "Our revenue grew 12% to $1.2 million in 3Q22.",
    };

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        EnglishNormalizer n = new EnglishNormalizer();
        long sink = 0;
        for (int i = 0; i < 50_000; i++) sink += n.normalize(SENTENCES[i % SENTENCES.length]).length();   // warm-up
        long count = 0;
        long t0 = System.nanoTime();
        long end = t0 + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            for (String s : SENTENCES) sink += n.normalize(s).length();
            count += SENTENCES.length;
        }
        double dt = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "EnglishNormalizer: %.0f sentences/s on one thread (%d sentences in %.2f s, sink %d)%n",
                count / dt, count, dt, sink);
    }
}
