package dev.swan.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** How much text and how many label draws each model size gets: the cost stays bounded as models grow. */
class SelfCalibrationPlanTest {
    @Test
    void smallModelsGet512TokensAndFourDraws() {
        for (long p : new long[] {260_000L, 4_000_000L, 60_000_000L}) {
            SelfCalibration.Plan plan = SelfCalibration.Plan.of(p, 0);
            assertEquals(512, plan.tokens(), p + " parameters");
            assertEquals(4, plan.draws(), p + " parameters");
            assertEquals(128, plan.length(), "snippets as long as the context");
        }
    }

    @Test
    void largeModelsGetLessTextInShorterSnippetsAndOneDraw() {
        assertEquals(new SelfCalibration.Plan(1, 4, 32, 1), SelfCalibration.Plan.of(8_000_000_000L, 0),
                "128 tokens as 4 snippets of 32, one draw");
        assertEquals(2, SelfCalibration.Plan.of(500_000_000L, 0).draws(), "half a billion: two draws");
        SelfCalibration.Plan b1 = SelfCalibration.Plan.of(1_000_000_000L, 0);
        assertEquals(512, b1.tokens());
        assertEquals(1, b1.draws());
        assertEquals(16, SelfCalibration.Plan.of(32_000_000_000L, 0).length());
        assertEquals(256, SelfCalibration.Plan.of(260_000L, 256).tokens(), "tokens as asked");
    }
}
