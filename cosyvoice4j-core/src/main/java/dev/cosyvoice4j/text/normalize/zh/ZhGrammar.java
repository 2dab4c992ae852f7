package dev.cosyvoice4j.text.normalize.zh;

import java.util.List;
import java.util.function.Supplier;

/**
 * One WeTextProcessing class (a {@code Processor} with a tagger): proposes the tokens that can start at a position.
 * The normaliser adds the class weight of normalizer.py (date 1.02 … char 100) and keeps the cheapest path, as
 * {@code shortestpath} over {@code (Σ add_weight(tagger, w)).star} does.
 */
interface ZhGrammar {
    /** Receives a candidate: it ends before {@code end}, costs {@code weight} inside the class (phone −1, k/w +0.1,
     *  erhua +0.1, else 0) and yields its tokens on demand (only the winning path is materialised). */
    @FunctionalInterface
    interface Sink {
        void accept(int end, double weight, Supplier<List<Token>> tokens);
    }

    /** Proposes every token of this class that starts at {@code start}; must not look further than it needs. */
    void match(ZhInput in, int start, Sink out);
}
