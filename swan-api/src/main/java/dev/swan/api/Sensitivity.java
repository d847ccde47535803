package dev.swan.api;

/**
 * How much a tensor's error costs, measured: adding noise of relative power {@code power} (‖ΔW‖² / ‖W‖²)
 * to this tensor alone moved the model's next-token distributions by a mean KL divergence of
 * {@code damage}, and ten times the power moved them by {@code damage} × 10^{@code exponent}. An error
 * of relative power e is predicted to cost {@code damage} × (e / {@code power})^{@code exponent}: a
 * power law through the two measurements (the exponent is near 1 where the effect is linear).
 */
public record Sensitivity(double power, double damage, double exponent) {

    public Sensitivity {
        if (!(power > 0) || !(damage >= 0) || !Double.isFinite(exponent)) {
            throw new IllegalArgumentException("sensitivity needs power > 0, damage >= 0 and a finite exponent");
        }
    }

    /** The predicted mean KL divergence of an error of relative power {@code relativeError}. */
    public double damage(double relativeError) {
        if (relativeError <= 0) return 0;
        return damage * Math.pow(relativeError / power, exponent);
    }
}
