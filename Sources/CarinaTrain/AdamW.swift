import CarinaTensor
import Foundation

/// AdamW with decoupled weight decay, exactly PyTorch's `torch.optim.AdamW` update:
/// `p ← p·(1 − lr·wd)`, `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`,
/// `p ← p − (lr/(1−β₁ᵗ)) · m / (√v/√(1−β₂ᵗ) + ε)`. Decay applies to every parameter, as in the reference.
public struct AdamW: Sendable, Equatable {
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var epsilon: Float = 1e-8
    public var weightDecay: Float

    public init(weightDecay: Float = 0.05, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8) {
        self.weightDecay = weightDecay
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }

    /// Applies update number `step` (1-based) with learning rate `lr` to the arena's trainable parameters (its
    /// buffers, BatchNorm running statistics, are left alone).
    ///
    /// `delayed`: a range of the arena that was frozen for its first `steps` updates (MGCA's prototypes during the
    /// first epoch): while `step ≤ steps` it is left alone (no decay, no moments, as PyTorch skips a parameter
    /// without a gradient), afterwards it runs its own update count `step − steps`, as PyTorch's per-parameter
    /// state does.
    public func update(_ arena: ParameterArena, step: Int, learningRate lr: Float,
                       delayed: (range: Range<Int>, steps: Int)? = nil) {
        guard let d = delayed, !d.range.isEmpty, d.steps > 0 else {
            update(arena, from: 0, to: arena.trainableCount, step: step, learningRate: lr)
            return
        }
        update(arena, from: 0, to: d.range.lowerBound, step: step, learningRate: lr)
        if step > d.steps { update(arena, from: d.range.lowerBound, to: d.range.upperBound, step: step - d.steps, learningRate: lr) }
        update(arena, from: d.range.upperBound, to: arena.trainableCount, step: step, learningRate: lr)
    }

    /// Applies update number `step` to `range` of the arena only (the rest is not optimised: no decay, no moments).
    public func update(_ arena: ParameterArena, range: Range<Int>, step: Int, learningRate lr: Float) {
        precondition(range.lowerBound >= 0 && range.upperBound <= arena.count, "range outside the arena")
        update(arena, from: range.lowerBound, to: range.upperBound, step: step, learningRate: lr)
    }

    private func update(_ arena: ParameterArena, from lower: Int, to upper: Int, step: Int, learningRate lr: Float) {
        guard upper > lower else { return }
        let p = unsafe arena.params + lower, g = unsafe arena.grads + lower
        let m = unsafe arena.firstMoment + lower, v = unsafe arena.secondMoment + lower
        let bc1 = 1 - powf(beta1, Float(step)), bc2Sqrt = (1 - powf(beta2, Float(step))).squareRoot()
        let stepSize = lr / bc1, decay = 1 - lr * weightDecay
        let b1 = beta1, b2 = beta2, eps = epsilon
        Parallel.forRanges(upper - lower, minimumPerPart: 65536) { s, e in
            typealias V = SIMD8<Float>
            var i = s
            // Eight lanes at a time; the same operations in the same order as the scalar tail.
            while i + 8 <= e {
                let gi = unsafe UnsafeRawPointer(g + i).loadUnaligned(as: V.self)
                let mi = unsafe b1 * UnsafeRawPointer(m + i).loadUnaligned(as: V.self) + (1 - b1) * gi
                let vi = unsafe b2 * UnsafeRawPointer(v + i).loadUnaligned(as: V.self) + (1 - b2) * gi * gi
                unsafe UnsafeMutableRawPointer(m + i).storeBytes(of: mi, as: V.self)
                unsafe UnsafeMutableRawPointer(v + i).storeBytes(of: vi, as: V.self)
                let pi = unsafe UnsafeRawPointer(p + i).loadUnaligned(as: V.self) * decay
                let upd = pi - stepSize * mi / (vi.squareRoot() / bc2Sqrt + eps)
                unsafe UnsafeMutableRawPointer(p + i).storeBytes(of: upd, as: V.self)
                i += 8
            }
            while i < e {
                let gi = unsafe g[i]
                let mi = unsafe b1 * m[i] + (1 - b1) * gi
                let vi = unsafe b2 * v[i] + (1 - b2) * gi * gi
                unsafe m[i] = mi
                unsafe v[i] = vi
                let pi = unsafe p[i] * decay
                unsafe p[i] = pi - stepSize * mi / (vi.squareRoot() / bc2Sqrt + eps)
                i += 1
            }
        }
    }

    /// The global L2 norm of the gradients, accumulated in Double: fixed chunks summed in parallel, then the chunk
    /// sums in order, so the result does not depend on the thread count.
    public static func gradientNorm(_ arena: ParameterArena) -> Double {
        let g = unsafe arena.grads, n = arena.count, chunk = 1 << 16
        let chunks = (n + chunk - 1) / chunk
        var partial = [Double](repeating: 0, count: chunks)
        unsafe partial.withUnsafeMutableBufferPointer { pb in
            let out = pb.baseAddress!
            Parallel.forRanges(chunks) { c0, c1 in
                for c in c0..<c1 {
                    var s = 0.0
                    for i in (c * chunk)..<min(n, (c + 1) * chunk) { let x = unsafe Double(g[i]); s += x * x }
                    unsafe out[c] = s
                }
            }
        }
        return partial.reduce(0, +).squareRoot()
    }

    /// Scales the gradients so their global norm is at most `maxNorm` (PyTorch's `clip_grad_norm_`:
    /// factor `maxNorm / (norm + 1e-6)` when below 1). Returns the norm before clipping.
    @discardableResult
    public static func clipGradients(_ arena: ParameterArena, maxNorm: Float) -> Double {
        let norm = gradientNorm(arena)
        guard maxNorm > 0 else { return norm }
        let factor = Float(Double(maxNorm) / (norm + 1e-6))
        if factor < 1 {
            let g = unsafe arena.grads
            Parallel.forRanges(arena.count, minimumPerPart: 65536) { s, e in
                for i in s..<e { unsafe g[i] *= factor }
            }
        }
        return norm
    }
}

/// Linear warm-up to the peak rate, then a cosine decay to `minimumRatio × peak` at the last step.
public struct LearningRateSchedule: Sendable, Equatable {
    public var peak: Float
    public var warmupSteps: Int
    public var totalSteps: Int
    public var minimumRatio: Float

    public init(peak: Float, warmupSteps: Int, totalSteps: Int, minimumRatio: Float = 0.1) {
        self.peak = peak
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
        self.minimumRatio = minimumRatio
    }

    /// The rate of update number `step` (1-based).
    public func rate(step: Int) -> Float {
        if warmupSteps > 0 && step <= warmupSteps { return peak * Float(step) / Float(warmupSteps) }
        let span = max(1, totalSteps - warmupSteps)
        let progress = min(1, Double(step - warmupSteps) / Double(span))
        let cosine = 0.5 * (1 + cos(Double.pi * progress))
        return peak * (minimumRatio + (1 - minimumRatio) * Float(cosine))
    }
}
