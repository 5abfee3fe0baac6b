/**
 * A generic, allocation-light L-BFGS minimiser for smooth unconstrained objectives (kgal's logistic
 * regression; anything else with a gradient).
 *
 * - Direction: the standard two-loop recursion over the last `memory` pairs (s, y), initial inverse
 *   Hessian γI with γ = sᵀy / yᵀy (Nocedal & Wright, Numerical Optimization, 2nd ed., Alg. 7.4 and eq. 7.20).
 *   A pair is kept only when sᵀy > ε·yᵀy (curvature condition), so the implicit Hessian stays positive definite.
 * - Step: a line search for the strong Wolfe conditions (c1 = 1e-4, c2 = 0.9; N&W Alg. 3.5 with the zoom of
 *   Alg. 3.6), safeguarded cubic interpolation / extrapolation. The first step (and the first after a memory
 *   reset) starts at 1/‖d‖₂ like scipy's L-BFGS-B; later ones at 1 (the quasi-Newton step).
 * - Stopping (the criteria scipy's L-BFGS-B applies, which scikit-learn's `tol` is passed to as `gtol`):
 *   `gradient`  max_i |g_i| ≤ gradientTolerance;
 *   `function`  (f_k − f_{k+1}) / max(|f_k|, |f_{k+1}|, 1) ≤ functionTolerance (scikit-learn passes 64·ε);
 *   `maxIterations`, `maxEvaluations`, or `lineSearch` (no acceptable step even after dropping the memory
 *   and falling back to steepest descent: usually rounding noise at the optimum).
 *
 * Deterministic: no randomness, a fixed sequence of floating-point operations for a given input.
 */

/** Computes f(x) and writes ∇f(x) into `grad` (same length as x). Must not keep references to x or grad. */
export type Objective = (x: Float64Array, grad: Float64Array) => number;

export interface LbfgsOptions {
  /** Number of (s, y) correction pairs kept. Default 10 (scipy's L-BFGS-B default). */
  memory?: number;
  /** Maximum iterations (accepted steps). Default 200. */
  maxIterations?: number;
  /** Maximum objective evaluations in total (line searches included). Default 15000 (scipy's maxfun). */
  maxEvaluations?: number;
  /** Stop when max_i |∇f_i| ≤ this. Default 1e-5 (scipy's gtol). */
  gradientTolerance?: number;
  /** Stop when the relative decrease of f in one iteration is ≤ this. Default 64·2^-52 ≈ 1.4e-14 (scikit-learn's ftol). */
  functionTolerance?: number;
  /** Maximum evaluations in one line search. Default 50 (what scikit-learn passes as maxls). */
  maxLineSearch?: number;
}

export type LbfgsReason = 'gradient' | 'function' | 'maxIterations' | 'maxEvaluations' | 'lineSearch';

export interface LbfgsResult {
  /** The final point (a new array; x0 is not modified). */
  x: Float64Array;
  /** f(x). */
  value: number;
  /** ∇f(x). */
  gradient: Float64Array;
  /** max_i |∇f(x)_i|. */
  gradientNorm: number;
  /** Accepted steps. */
  iterations: number;
  /** Objective evaluations, line searches included. */
  evaluations: number;
  /** True when stopped by the gradient or function tolerance. */
  converged: boolean;
  reason: LbfgsReason;
}

const C1 = 1e-4;
const C2 = 0.9;
const EPS = 2 ** -52;

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i]!);
    if (v > m || Number.isNaN(v)) m = v;
  }
  return m;
}

/**
 * Minimiser of the cubic interpolating (a, fa, ga) and (b, fb, gb) (N&W eq. 3.59), or NaN when the cubic
 * has no minimiser (the caller then bisects or extrapolates).
 */
function cubicMinimizer(a: number, fa: number, ga: number, b: number, fb: number, gb: number): number {
  const d1 = ga + gb - (3 * (fa - fb)) / (a - b);
  const disc = d1 * d1 - ga * gb;
  if (!(disc >= 0)) return Number.NaN;
  const d2 = Math.sign(b - a) * Math.sqrt(disc);
  const denom = gb - ga + 2 * d2;
  if (denom === 0) return Number.NaN;
  return b - ((b - a) * (gb + d2 - d1)) / denom;
}

interface LineSearchState {
  f: Objective;
  x: Float64Array;
  d: Float64Array;
  xt: Float64Array;
  gt: Float64Array;
  f0: number;
  dphi0: number;
  maxEvals: number;
  evals: number;
}

/** Evaluates φ(α) = f(x + αd) into st.xt/st.gt; returns [φ, φ']. */
function evalAt(st: LineSearchState, alpha: number): [number, number] {
  const { x, d, xt, gt } = st;
  for (let i = 0; i < x.length; i++) xt[i] = x[i]! + alpha * d[i]!;
  const phi = st.f(xt, gt);
  st.evals++;
  return [phi, dot(gt, d)];
}

function sufficientDecreaseFails(st: LineSearchState, alpha: number, phi: number): boolean {
  return !Number.isFinite(phi) || phi > st.f0 + C1 * alpha * st.dphi0;
}

/**
 * Strong Wolfe line search. On success returns the step and φ, with st.xt / st.gt holding the accepted point
 * and its gradient. On failure returns the best step found that satisfies sufficient decrease (re-evaluated
 * so st.xt / st.gt hold it), or null when there is none.
 */
function lineSearch(st: LineSearchState, alpha0: number): { alpha: number; phi: number } | null {
  const alphaMax = 1e20;
  let aPrev = 0;
  let phiPrev = st.f0;
  let dphiPrev = st.dphi0;
  let alpha = alpha0;
  let first = true;
  while (st.evals < st.maxEvals) {
    const [phi, dphi] = evalAt(st, alpha);
    if (sufficientDecreaseFails(st, alpha, phi) || (!first && phi >= phiPrev)) {
      return zoom(st, aPrev, phiPrev, dphiPrev, alpha, phi, dphi);
    }
    if (Math.abs(dphi) <= -C2 * st.dphi0) return { alpha, phi };
    if (dphi >= 0) return zoom(st, alpha, phi, dphi, aPrev, phiPrev, dphiPrev);
    // Extrapolate: cubic step, kept within [1.1α, 4α].
    let next = cubicMinimizer(aPrev, phiPrev, dphiPrev, alpha, phi, dphi);
    if (!Number.isFinite(next) || next < 1.1 * alpha || next > 4 * alpha) next = 2 * alpha;
    next = Math.min(next, alphaMax);
    if (next === alpha) return { alpha, phi };
    aPrev = alpha;
    phiPrev = phi;
    dphiPrev = dphi;
    alpha = next;
    first = false;
  }
  return acceptArmijo(st, aPrev, phiPrev);
}

function zoom(
  st: LineSearchState,
  aLoIn: number,
  phiLoIn: number,
  dphiLoIn: number,
  aHiIn: number,
  phiHiIn: number,
  dphiHiIn: number,
): { alpha: number; phi: number } | null {
  let aLo = aLoIn;
  let phiLo = phiLoIn;
  let dphiLo = dphiLoIn;
  let aHi = aHiIn;
  let phiHi = phiHiIn;
  let dphiHi = dphiHiIn;
  while (st.evals < st.maxEvals) {
    const lo = Math.min(aLo, aHi);
    const hi = Math.max(aLo, aHi);
    const width = hi - lo;
    if (width <= EPS * Math.max(hi, 1e-300)) break;
    let alpha = Number.isFinite(phiHi) ? cubicMinimizer(aLo, phiLo, dphiLo, aHi, phiHi, dphiHi) : Number.NaN;
    // Safeguard: stay in the interior of the bracket, else bisect.
    if (!Number.isFinite(alpha) || alpha < lo + 0.1 * width || alpha > hi - 0.1 * width) alpha = lo + 0.5 * width;
    const [phi, dphi] = evalAt(st, alpha);
    if (sufficientDecreaseFails(st, alpha, phi) || phi >= phiLo) {
      aHi = alpha;
      phiHi = phi;
      dphiHi = dphi;
    } else {
      if (Math.abs(dphi) <= -C2 * st.dphi0) return { alpha, phi };
      if (dphi * (aHi - aLo) >= 0) {
        aHi = aLo;
        phiHi = phiLo;
        dphiHi = dphiLo;
      }
      aLo = alpha;
      phiLo = phi;
      dphiLo = dphi;
    }
  }
  return acceptArmijo(st, aLo, phiLo);
}

/** Fallback: a step with sufficient decrease but no curvature guarantee (the caller checks sᵀy). */
function acceptArmijo(st: LineSearchState, alpha: number, phi: number): { alpha: number; phi: number } | null {
  if (!(alpha > 0) || !(phi < st.f0)) return null;
  const [phiAgain] = evalAt(st, alpha);
  return { alpha, phi: phiAgain };
}

export function minimizeLbfgs(f: Objective, x0: Float64Array, options: LbfgsOptions = {}): LbfgsResult {
  const m = options.memory ?? 10;
  const maxIterations = options.maxIterations ?? 200;
  const maxEvaluations = options.maxEvaluations ?? 15000;
  const gtol = options.gradientTolerance ?? 1e-5;
  const ftol = options.functionTolerance ?? 64 * EPS;
  const maxLs = options.maxLineSearch ?? 50;
  if (!Number.isInteger(m) || m < 1) throw new RangeError(`memory must be a positive integer, got ${m}`);
  if (!Number.isInteger(maxIterations) || maxIterations < 0) {
    throw new RangeError(`maxIterations must be a non-negative integer, got ${maxIterations}`);
  }
  if (!(gtol >= 0) || !(ftol >= 0)) throw new RangeError('tolerances must be non-negative');

  const n = x0.length;
  let x = Float64Array.from(x0);
  let g = new Float64Array(n);
  let value = f(x, g);
  let evaluations = 1;
  if (!Number.isFinite(value)) throw new RangeError(`objective is not finite at x0 (${value})`);

  // Correction pairs in a ring buffer.
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho = new Float64Array(m);
  const alphaBuf = new Float64Array(m);
  let stored = 0;
  let head = 0; // index of the next slot to write

  const d = new Float64Array(n);
  let xt = new Float64Array(n);
  let gt = new Float64Array(n);

  const done = (reason: LbfgsReason, iterations: number): LbfgsResult => ({
    x,
    value,
    gradient: g,
    gradientNorm: maxAbs(g),
    iterations,
    evaluations,
    converged: reason === 'gradient' || reason === 'function',
    reason,
  });

  if (maxAbs(g) <= gtol) return done('gradient', 0);

  let iterations = 0;
  let resetPending = true; // first step: steepest descent scaled by 1/‖d‖
  while (iterations < maxIterations) {
    // d = −H g (two-loop recursion).
    for (let i = 0; i < n; i++) d[i] = -g[i]!;
    if (stored > 0) {
      for (let j = 0; j < stored; j++) {
        const idx = (head - 1 - j + m) % m;
        const a = rho[idx]! * dot(S[idx]!, d);
        alphaBuf[idx] = a;
        const y = Y[idx]!;
        for (let i = 0; i < n; i++) d[i] = d[i]! - a * y[i]!;
      }
      const last = (head - 1 + m) % m;
      const yLast = Y[last]!;
      const gamma = 1 / (rho[last]! * dot(yLast, yLast));
      for (let i = 0; i < n; i++) d[i] = d[i]! * gamma;
      for (let j = stored - 1; j >= 0; j--) {
        const idx = (head - 1 - j + m) % m;
        const b = rho[idx]! * dot(Y[idx]!, d);
        const s = S[idx]!;
        const coef = alphaBuf[idx]! - b;
        for (let i = 0; i < n; i++) d[i] = d[i]! + coef * s[i]!;
      }
    }
    let dphi0 = dot(g, d);
    if (!(dphi0 < 0)) {
      // Not a descent direction (should not happen with sᵀy > 0): drop the memory.
      stored = 0;
      head = 0;
      for (let i = 0; i < n; i++) d[i] = -g[i]!;
      dphi0 = dot(g, d);
      resetPending = true;
    }
    const alpha0 = resetPending ? Math.min(1, 1 / Math.sqrt(dot(d, d))) : 1;

    const st: LineSearchState = {
      f,
      x,
      d,
      xt,
      gt,
      f0: value,
      dphi0,
      maxEvals: Math.min(maxLs, maxEvaluations - evaluations),
      evals: 0,
    };
    const ls = st.maxEvals > 0 ? lineSearch(st, alpha0) : null;
    evaluations += st.evals;
    if (ls === null) {
      if (evaluations >= maxEvaluations) return done('maxEvaluations', iterations);
      if (stored > 0 || !resetPending) {
        // Retry once from steepest descent with an empty memory (what L-BFGS-B does).
        stored = 0;
        head = 0;
        resetPending = true;
        continue;
      }
      return done('lineSearch', iterations);
    }
    resetPending = false;

    // s = xt − x, y = gt − g, stored in the ring slot (reusing its arrays).
    let s = S[head];
    let y = Y[head];
    if (s === undefined || y === undefined) {
      s = new Float64Array(n);
      y = new Float64Array(n);
      S[head] = s;
      Y[head] = y;
    }
    let sy = 0;
    let yy = 0;
    for (let i = 0; i < n; i++) {
      const si = xt[i]! - x[i]!;
      const yi = gt[i]! - g[i]!;
      s[i] = si;
      y[i] = yi;
      sy += si * yi;
      yy += yi * yi;
    }
    if (sy > EPS * yy && yy > 0) {
      rho[head] = 1 / sy;
      head = (head + 1) % m;
      stored = Math.min(stored + 1, m);
    }

    const previous = value;
    [x, xt] = [xt, x];
    [g, gt] = [gt, g];
    value = ls.phi;
    iterations++;

    if (maxAbs(g) <= gtol) return done('gradient', iterations);
    if ((previous - value) / Math.max(Math.abs(previous), Math.abs(value), 1) <= ftol) {
      return done('function', iterations);
    }
    if (evaluations >= maxEvaluations) return done('maxEvaluations', iterations);
  }
  return done('maxIterations', iterations);
}
