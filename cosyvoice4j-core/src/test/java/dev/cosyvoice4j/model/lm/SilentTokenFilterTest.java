package dev.cosyvoice4j.model.lm;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class SilentTokenFilterTest {
    @Test
    void runsOfSilentTokensAreCappedAtFive() {
        int[] in = {7, 1, 2, 28, 29, 55, 248, 494, 2241, 9, 2322, 2323};
        assertArrayEquals(new int[] {7, 1, 2, 28, 29, 55, 9, 2322, 2323}, SilentTokenFilter.filter(in));
    }

    @Test
    void aNonSilentTokenResetsTheRun() {
        int[] in = {1, 1, 1, 1, 1, 1, 3, 1, 1, 1, 1, 1, 1, 1};
        assertArrayEquals(new int[] {1, 1, 1, 1, 1, 3, 1, 1, 1, 1, 1}, SilentTokenFilter.filter(in));
    }
}
