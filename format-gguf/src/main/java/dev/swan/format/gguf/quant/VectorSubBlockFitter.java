package dev.swan.format.gguf.quant;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * make_qkx2_quants on several sub-blocks at once, one per lane (8 with AVX2, 16 with AVX-512). Each lane runs the reference's arithmetic in
 * the reference's order (the sums over a sub-block stay sequential, only independent sub-blocks run side
 * by side), and a lane-wise IEEE float operation rounds exactly like the scalar one, so the bits are the
 * reference's. The reference's branches become masks: {@code if (x < min)}, {@code if (D > 0)},
 * {@code if (this_min > 0)}, {@code if (cur_error < best_error)}.
 */
final class VectorSubBlockFitter implements SubBlockFitter {
    // the species the product kernels use too: C2 compiles the Vector API's shared entry points for the
    // shapes it has seen, and a second float shape in the same JVM (the analysis runs first) made these
    // intrinsics fail and fall back to allocating code, four times slower
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = F.length();
    /** 1.5·2²³: adding it rounds to an integer in the low mantissa bits (ggml's nearest_int). */
    private static final float MAGIC = 12582912.f;

    private final ScalarSubBlockFitter reference = new ScalarSubBlockFitter();
    // sub-block-major input transposed to element-major: element i of lane k at [i·8 + k]
    private float[] xt = new float[32 * LANES];
    private float[] wt = new float[32 * LANES];
    private float[] lt = new float[32 * LANES];
    private float[] aux = new float[32 * LANES];
    private final float[] laneScale = new float[LANES];
    private final float[] laneMin = new float[LANES];
    private final float[] check = new float[LANES];
    // per-lane state handed from one compiled step to the next
    private final float[] stSumW = new float[LANES];
    private final float[] stSumX = new float[LANES];
    private final float[] stMin = new float[LANES];
    private final float[] stFlatMin = new float[LANES];
    private final float[] stMax = new float[LANES];
    private final float[] stScale = new float[LANES];
    private final float[] stBest = new float[LANES];
    private final float[] stTop = new float[LANES];
    private final float[] stSumL = new float[LANES];
    private final float[] stSumL2 = new float[LANES];
    private final float[] stSumXl = new float[LANES];

    @Override
    public void fit(int count, int n, int nmax, float[] x, int xo, float[] w, float[] scales, float[] mins, int[] l,
                    float rmin, float rdelta, int nstep, boolean useMad) {
        if (nstep < 1) {
            reference.fitRange(0, count, n, nmax, x, xo, w, scales, mins, l, rmin, rdelta, nstep, useMad);
            return;
        }
        if (xt.length < n * LANES) grow(n);
        for (int j0 = 0; j0 < count; j0 += LANES) {
            int used = Math.min(LANES, count - j0);
            for (int k = 0; k < LANES; k++) {
                // lanes past the end repeat the batch's first sub-block: valid input, results unused
                int src = n * (j0 + (k < used ? k : 0));
                for (int i = 0; i < n; i++) {
                    xt[i * LANES + k] = x[xo + src + i];
                    wt[i * LANES + k] = w[src + i];
                }
            }
            if (!lanes(n, nmax, rmin, rdelta, nstep, useMad)) {
                reference.fitRange(j0, used, n, nmax, x, xo, w, scales, mins, l, rmin, rdelta, nstep, useMad);
                continue;
            }
            for (int k = 0; k < used; k++) {
                scales[j0 + k] = laneScale[k];
                mins[j0 + k] = laneMin[k];
                int dst = n * (j0 + k);
                for (int i = 0; i < n; i++) l[dst + i] = (int) lt[i * LANES + k];
            }
        }
    }

    private void grow(int n) {
        xt = new float[n * LANES];
        wt = new float[n * LANES];
        lt = new float[n * LANES];
        aux = new float[n * LANES];
    }

    /**
     * The reference body for the transposed sub-blocks (one per lane); results in laneScale, laneMin (= −min) and
     * lt. Codes are held as floats ((v + 1.5·2²³) − 1.5·2²³ is nearest_int(v) exactly while |v| < 2²²), so no
     * int vector or mask conversion is needed. Returns false when a lane's scale is not finite (sub-blocks
     * of denormal-sized values), where the reference's integer trick and this one part ways: the caller
     * then runs the scalar loop.
     *
     * <p>The work is split into methods that C2 compiles on their own, handing the per-lane state over in
     * lane-wide arrays: one method holding all of it outgrew C2's inlining budget, whose vector
     * intrinsics then failed and fell back to allocating code. No vector is merged from two branches either
     * (C2 boxes those); masks select instead. For the same reason the few lines that round and clamp codes
     * are written out where they are used rather than in a helper taking and returning vectors.
     */
    private boolean lanes(int n, int nmax, float rmin, float rdelta, int nstep, boolean useMad) {
        if (!start(n, nmax)) return false;
        firstFit(n, nmax, useMad);
        for (int is = 0; is <= nstep; is++) {
            if (!codesAndSums(n, rmin + rdelta * is + nmax)) return false;
            tryFit(n, useMad);
        }
        finish(n);
        return true;
    }

    /** Sums, min (clamped to ≤ 0), max and the first scale (the reference's lines before its search). */
    private boolean start(int n, int nmax) {
        FloatVector zero = FloatVector.zero(F);
        FloatVector x0 = FloatVector.fromArray(F, xt, 0);
        FloatVector sumW = FloatVector.fromArray(F, wt, 0);
        FloatVector sumX = sumW.mul(x0);
        FloatVector min = x0;
        FloatVector max = x0;
        for (int i = 1; i < n; i++) {
            FloatVector xi = FloatVector.fromArray(F, xt, i * LANES);
            FloatVector wi = FloatVector.fromArray(F, wt, i * LANES);
            min = min.blend(xi, xi.compare(VectorOperators.LT, min));
            max = max.blend(xi, xi.compare(VectorOperators.GT, max));
            sumW = sumW.add(wi);
            sumX = sumX.add(wi.mul(xi));
        }
        min = min.blend(zero, min.compare(VectorOperators.GT, zero));
        FloatVector iscale = FloatVector.broadcast(F, (float) nmax).div(max.sub(min));
        iscale.intoArray(check, 0);
        sumW.intoArray(stSumW, 0);
        sumX.intoArray(stSumX, 0);
        min.intoArray(stMin, 0);
        min.intoArray(stFlatMin, 0);
        max.intoArray(stMax, 0);
        return finiteWhereNotFlat();
    }

    /** Codes at iscale = nmax / (max − min) and their error: the fit the search has to beat. */
    private void firstFit(int n, int nmax, boolean useMad) {
        FloatVector zero = FloatVector.zero(F);
        FloatVector one = FloatVector.broadcast(F, 1f);
        FloatVector top = FloatVector.broadcast(F, (float) nmax);
        VectorMask<Float> squared = F.maskAll(!useMad);
        FloatVector min = FloatVector.fromArray(F, stMin, 0);
        FloatVector iscale = FloatVector.fromArray(F, check, 0);
        FloatVector scale = one.div(iscale);
        FloatVector best = zero;
        for (int i = 0; i < n; i++) {
            FloatVector xi = FloatVector.fromArray(F, xt, i * LANES);
            FloatVector lf = iscale.mul(xi.sub(min)).add(MAGIC).sub(MAGIC);
            lf = lf.blend(zero, lf.compare(VectorOperators.LT, zero));
            lf = lf.blend(top, lf.compare(VectorOperators.GT, top));
            lf.intoArray(lt, i * LANES);
            FloatVector e = scale.mul(lf).add(min).sub(xi).abs();
            e = e.mul(one.blend(e, squared));
            best = best.add(FloatVector.fromArray(F, wt, i * LANES).mul(e));
        }
        scale.intoArray(stScale, 0);
        best.intoArray(stBest, 0);
        top.intoArray(stTop, 0);
    }

    /** First half of a search pass: codes at iscale = {@code numerator} / (max − min) into aux, and their sums. */
    private boolean codesAndSums(int n, float numerator) {
        FloatVector zero = FloatVector.zero(F);
        FloatVector top = FloatVector.fromArray(F, stTop, 0);
        FloatVector min = FloatVector.fromArray(F, stMin, 0);
        // min moves with every better fit, and the reference rescales from the moved min
        FloatVector iscale = FloatVector.broadcast(F, numerator).div(FloatVector.fromArray(F, stMax, 0).sub(min));
        iscale.intoArray(check, 0);
        if (!finiteWhereNotFlat()) return false;
        FloatVector sumL = zero;
        FloatVector sumL2 = zero;
        FloatVector sumXl = zero;
        for (int i = 0; i < n; i++) {
            FloatVector xi = FloatVector.fromArray(F, xt, i * LANES);
            FloatVector lf = iscale.mul(xi.sub(min)).add(MAGIC).sub(MAGIC);
            lf = lf.blend(zero, lf.compare(VectorOperators.LT, zero));
            lf = lf.blend(top, lf.compare(VectorOperators.GT, top));
            lf.intoArray(aux, i * LANES);
            FloatVector wl = FloatVector.fromArray(F, wt, i * LANES).mul(lf);
            sumL = sumL.add(wl);
            sumL2 = sumL2.add(wl.mul(lf));
            sumXl = sumXl.add(wl.mul(xi));
        }
        sumL.intoArray(stSumL, 0);
        sumL2.intoArray(stSumL2, 0);
        sumXl.intoArray(stSumXl, 0);
        return true;
    }

    /** Second half: solve for scale and min, measure the error, keep the fit where it is better. */
    private void tryFit(int n, boolean useMad) {
        FloatVector zero = FloatVector.zero(F);
        FloatVector one = FloatVector.broadcast(F, 1f);
        VectorMask<Float> squared = F.maskAll(!useMad);
        FloatVector sumW = FloatVector.fromArray(F, stSumW, 0);
        FloatVector sumX = FloatVector.fromArray(F, stSumX, 0);
        FloatVector sumL = FloatVector.fromArray(F, stSumL, 0);
        FloatVector sumL2 = FloatVector.fromArray(F, stSumL2, 0);
        FloatVector sumXl = FloatVector.fromArray(F, stSumXl, 0);
        FloatVector d = sumW.mul(sumL2).sub(sumL.mul(sumL));
        VectorMask<Float> solvable = d.compare(VectorOperators.GT, zero);
        FloatVector thisScale = sumW.mul(sumXl).sub(sumX.mul(sumL)).div(d);
        FloatVector thisMin = sumL2.mul(sumX).sub(sumL.mul(sumXl)).div(d);
        VectorMask<Float> positiveMin = thisMin.compare(VectorOperators.GT, zero);
        thisMin = thisMin.blend(zero, positiveMin);
        thisScale = thisScale.blend(sumXl.div(sumL2), positiveMin);
        FloatVector cur = zero;
        for (int i = 0; i < n; i++) {
            FloatVector xi = FloatVector.fromArray(F, xt, i * LANES);
            FloatVector e = thisScale.mul(FloatVector.fromArray(F, aux, i * LANES)).add(thisMin).sub(xi).abs();
            e = e.mul(one.blend(e, squared));
            cur = cur.add(FloatVector.fromArray(F, wt, i * LANES).mul(e));
        }
        FloatVector best = FloatVector.fromArray(F, stBest, 0);
        VectorMask<Float> better = solvable.and(cur.compare(VectorOperators.LT, best));
        if (better.anyTrue()) {
            for (int i = 0; i < n; i++) {
                FloatVector.fromArray(F, lt, i * LANES).blend(FloatVector.fromArray(F, aux, i * LANES), better)
                        .intoArray(lt, i * LANES);
            }
        }
        best.blend(cur, better).intoArray(stBest, 0);
        FloatVector.fromArray(F, stScale, 0).blend(thisScale, better).intoArray(stScale, 0);
        FloatVector.fromArray(F, stMin, 0).blend(thisMin, better).intoArray(stMin, 0);
    }

    /** Lanes with max == min: the reference returns early with scale 0, codes 0 and its clamped min. */
    private void finish(int n) {
        FloatVector zero = FloatVector.zero(F);
        FloatVector flatMin = FloatVector.fromArray(F, stFlatMin, 0);
        VectorMask<Float> flat = FloatVector.fromArray(F, stMax, 0).compare(VectorOperators.EQ, flatMin);
        FloatVector.fromArray(F, stScale, 0).blend(zero, flat).intoArray(laneScale, 0);
        FloatVector.fromArray(F, stMin, 0).blend(flatMin, flat).neg().intoArray(laneMin, 0);
        if (flat.anyTrue()) {
            for (int i = 0; i < n; i++) {
                FloatVector.fromArray(F, lt, i * LANES).blend(zero, flat).intoArray(lt, i * LANES);
            }
        }
    }

    /** Whether the scale in {@code check} is finite in every lane whose sub-block is not flat (max ≠ min). */
    private boolean finiteWhereNotFlat() {
        for (int k = 0; k < LANES; k++) {
            if (stMax[k] != stFlatMin[k] && !Float.isFinite(check[k])) return false;
        }
        return true;
    }

    @Override
    public void fitSymmetric(int count, int n, int nmax, float[] x, int xo, float[] scales, int[] l) {
        if (xt.length < n * LANES) grow(n);
        for (int j0 = 0; j0 < count; j0 += LANES) {
            int used = Math.min(LANES, count - j0);
            for (int k = 0; k < LANES; k++) {
                int src = xo + n * (j0 + (k < used ? k : 0));
                for (int i = 0; i < n; i++) xt[i * LANES + k] = x[src + i];
            }
            qxStart(n, nmax);
            for (int is = -9; is <= 9; is++) {
                if (is != 0) qxTry(n, nmax, -(nmax + 0.1f * is));
            }
            qxFinish(n);
            for (int k = 0; k < used; k++) {
                scales[j0 + k] = laneScale[k];
                int dst = n * (j0 + k);
                for (int i = 0; i < n; i++) l[dst + i] = (int) lt[i * LANES + k];
            }
        }
    }

    /** The signed largest magnitude (first on ties) and the fit at iscale = −nmax / max. */
    private void qxStart(int n, int nmax) {
        FloatVector zero = FloatVector.zero(F);
        FloatVector max = zero;
        FloatVector amax = zero;
        for (int i = 0; i < n; i++) {
            FloatVector xi = FloatVector.fromArray(F, xt, i * LANES);
            FloatVector ax = xi.abs();
            VectorMask<Float> larger = ax.compare(VectorOperators.GT, amax);
            amax = amax.blend(ax, larger);
            max = max.blend(xi, larger);
        }
        max.intoArray(stMax, 0);
        FloatVector iscale = FloatVector.broadcast(F, (float) -nmax).div(max);
        FloatVector lo = FloatVector.broadcast(F, (float) -nmax);
        FloatVector hi = FloatVector.broadcast(F, (float) (nmax - 1));
        FloatVector offset = FloatVector.broadcast(F, (float) nmax);
        FloatVector sumlx = zero;
        FloatVector suml2 = zero;
        for (int i = 0; i < n; i++) {
            FloatVector xi = FloatVector.fromArray(F, xt, i * LANES);
            FloatVector li = iscale.mul(xi).add(MAGIC).sub(MAGIC);
            li = li.blend(lo, li.compare(VectorOperators.LT, lo));
            li = li.blend(hi, li.compare(VectorOperators.GT, hi));
            li.add(offset).intoArray(lt, i * LANES);
            FloatVector w = xi.mul(xi);
            sumlx = sumlx.add(w.mul(xi).mul(li));
            suml2 = suml2.add(w.mul(li).mul(li));
        }
        FloatVector scale = sumlx.div(suml2).blend(zero, suml2.compare(VectorOperators.EQ, zero));
        scale.intoArray(stScale, 0);
        scale.mul(sumlx).intoArray(stBest, 0);
    }

    /** One trial of the reference's search, at iscale = {@code numerator} / max; kept where it fits better. */
    private void qxTry(int n, int nmax, float numerator) {
        FloatVector zero = FloatVector.zero(F);
        FloatVector iscale = FloatVector.broadcast(F, numerator).div(FloatVector.fromArray(F, stMax, 0));
        FloatVector lo = FloatVector.broadcast(F, (float) -nmax);
        FloatVector hi = FloatVector.broadcast(F, (float) (nmax - 1));
        FloatVector sumlx = zero;
        FloatVector suml2 = zero;
        for (int i = 0; i < n; i++) {
            FloatVector xi = FloatVector.fromArray(F, xt, i * LANES);
            FloatVector li = iscale.mul(xi).add(MAGIC).sub(MAGIC);
            li = li.blend(lo, li.compare(VectorOperators.LT, lo));
            li = li.blend(hi, li.compare(VectorOperators.GT, hi));
            li.intoArray(aux, i * LANES);
            FloatVector w = xi.mul(xi);
            sumlx = sumlx.add(w.mul(xi).mul(li));
            suml2 = suml2.add(w.mul(li).mul(li));
        }
        FloatVector best = FloatVector.fromArray(F, stBest, 0);
        VectorMask<Float> better = suml2.compare(VectorOperators.GT, zero)
                .and(sumlx.mul(sumlx).compare(VectorOperators.GT, best.mul(suml2)));
        if (better.anyTrue()) {
            FloatVector offset = FloatVector.broadcast(F, (float) nmax);
            for (int i = 0; i < n; i++) {
                FloatVector.fromArray(F, lt, i * LANES).blend(FloatVector.fromArray(F, aux, i * LANES).add(offset), better)
                        .intoArray(lt, i * LANES);
            }
        }
        FloatVector scale = sumlx.div(suml2);
        FloatVector.fromArray(F, stScale, 0).blend(scale, better).intoArray(stScale, 0);
        best.blend(scale.mul(sumlx), better).intoArray(stBest, 0);
    }

    /** |max| below ggml's epsilon: the reference returns scale 0 and codes 0 (not the offset). */
    private void qxFinish(int n) {
        FloatVector zero = FloatVector.zero(F);
        VectorMask<Float> flat = FloatVector.fromArray(F, stMax, 0).abs().compare(VectorOperators.LT, QuantMath.GROUP_MAX_EPS);
        FloatVector.fromArray(F, stScale, 0).blend(zero, flat).intoArray(laneScale, 0);
        if (flat.anyTrue()) {
            for (int i = 0; i < n; i++) {
                FloatVector.fromArray(F, lt, i * LANES).blend(zero, flat).intoArray(lt, i * LANES);
            }
        }
    }
}
