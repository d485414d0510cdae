import Foundation

/// The training objectives, each computing its value and its input gradients in one pass.
///
/// Gradients are written (overwritten) and multiplied by `weight`, the loss's weight in the total.
public enum Losses {
    /// Global image↔text alignment: symmetric InfoNCE (CLIP) with a learnable temperature.
    ///
    /// `logits = min(exp(s), maxScale) · image · textᵀ` for L2-normalized `image (B, E)`, `text (B, E)`;
    /// loss `= (CE(logits, diag) + CE(logitsᵀ, diag)) / 2`, each a mean over the batch. Returns the loss and
    /// `∂loss/∂s` (zero while the scale is clamped).
    @unsafe
    public static func symmetricInfoNCE(
        image: UnsafePointer<Float>, text: UnsafePointer<Float>, logitScale s: Float, maxScale: Float = 100,
        batch b: Int, dim e: Int, dimage: UnsafeMutablePointer<Float>, dtext: UnsafeMutablePointer<Float>,
        weight: Float = 1
    ) -> (loss: Double, dLogitScale: Float) {
        let raw = expf(s)
        let scale = min(raw, maxScale)
        var cos = [Float](repeating: 0, count: b * b)
        unsafe cos.withUnsafeMutableBufferPointer { cp in
            unsafe BLAS.sgemm(transA: false, transB: true, m: b, n: b, k: e, a: image, lda: e, b: text, ldb: e,
                              beta: 0, c: cp.baseAddress!, ldc: b)
        }
        var rowP = cos.map { $0 * scale }, colP = rowP
        var loss = 0.0
        unsafe rowP.withUnsafeMutableBufferPointer { rp in
            for i in 0..<b {
                let row = unsafe rp.baseAddress! + i * b
                loss += unsafe logSumExp(row, count: b, stride: 1) - Double(row[i])
                unsafe Softmax.forwardRow(row, count: b)
            }
        }
        unsafe colP.withUnsafeMutableBufferPointer { cp in
            for j in 0..<b {
                let col = unsafe cp.baseAddress! + j
                loss += unsafe logSumExp(col, count: b, stride: b) - Double(col[j * b])
                // softmax down column j
                var mx = -Float.infinity
                for i in 0..<b { mx = unsafe max(mx, col[i * b]) }
                var sum: Float = 0
                for i in 0..<b { let v = unsafe expf(col[i * b] - mx); unsafe col[i * b] = v; sum += v }
                for i in 0..<b { unsafe col[i * b] /= sum }
            }
        }
        loss /= Double(2 * b)
        // dlogits[i][j] = (rowP[i][j] + colP[i][j] − 2δij) / (2B)
        var dlogits = [Float](repeating: 0, count: b * b)
        var dScale = 0.0
        for i in 0..<b {
            for j in 0..<b {
                let g = (rowP[i * b + j] + colP[i * b + j] - (i == j ? 2 : 0)) / Float(2 * b)
                dlogits[i * b + j] = g
                dScale += Double(g) * Double(cos[i * b + j])
            }
        }
        unsafe dlogits.withUnsafeBufferPointer { dp in
            unsafe BLAS.sgemm(transA: false, transB: false, m: b, n: e, k: b, alpha: scale * weight,
                              a: dp.baseAddress!, lda: b, b: text, ldb: e, beta: 0, c: dimage, ldc: e)
            unsafe BLAS.sgemm(transA: true, transB: false, m: b, n: e, k: b, alpha: scale * weight,
                              a: dp.baseAddress!, lda: b, b: image, ldb: e, beta: 0, c: dtext, ldc: e)
        }
        let dS = raw <= maxScale ? Float(dScale) * raw * weight : 0
        return (loss, dS)
    }

    /// Multi-label binary cross-entropy with logits, mean over all `n` entries (PyTorch's
    /// `binary_cross_entropy_with_logits`). Writes `dlogits = weight · (σ(x) − y) / n`.
    @unsafe
    public static func binaryCrossEntropyWithLogits(
        logits x: UnsafePointer<Float>, targets y: UnsafePointer<Float>, count n: Int,
        dlogits: UnsafeMutablePointer<Float>, weight: Float = 1
    ) -> Double {
        var loss = 0.0
        for i in 0..<n {
            let xi = unsafe Double(x[i]), yi = unsafe Double(y[i])
            loss += max(xi, 0) - xi * yi + log1p(exp(-abs(xi)))
            let sig = 1 / (1 + exp(-xi))
            unsafe dlogits[i] = Float((sig - yi) / Double(n)) * weight
        }
        return loss / Double(n)
    }

    /// Binary cross-entropy with logits over the entries whose `mask` is 1, averaged over those entries
    /// (`(bce(x, y) · m).sum() / max(m.sum(), 1)` in PyTorch): a label that is blank or ignored for a sample adds
    /// nothing. Writes `dlogits = m · (σ(x) − y) / max(Σm, 1)`, zero where the mask is 0.
    ///
    /// - Complexity: O(n).
    @unsafe
    public static func maskedBinaryCrossEntropyWithLogits(
        logits x: UnsafePointer<Float>, targets y: UnsafePointer<Float>, mask m: UnsafePointer<Float>, count n: Int,
        dlogits: UnsafeMutablePointer<Float>
    ) -> Double {
        var weight = 0.0
        for i in 0..<n { weight += unsafe Double(m[i]) }
        let denominator = max(weight, 1)
        var loss = 0.0
        for i in 0..<n {
            let xi = unsafe Double(x[i]), yi = unsafe Double(y[i]), mi = unsafe Double(m[i])
            loss += mi * (max(xi, 0) - xi * yi + log1p(exp(-abs(xi))))
            unsafe dlogits[i] = Float(mi * (1 / (1 + exp(-xi)) - yi) / denominator)
        }
        return loss / denominator
    }

    /// log Σ exp over `count` values `stride` apart, in Double.
    @unsafe @inline(__always)
    static func logSumExp(_ x: UnsafePointer<Float>, count n: Int, stride: Int) -> Double {
        var mx = -Double.infinity
        for i in 0..<n { mx = unsafe max(mx, Double(x[i * stride])) }
        var s = 0.0
        for i in 0..<n { s += unsafe exp(Double(x[i * stride]) - mx) }
        return mx + log(s)
    }
}
