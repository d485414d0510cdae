import Foundation

extension Losses {
    /// Temperature-scaled knowledge distillation (Hinton et al. 2015): for each of `rows` rows of student and
    /// teacher logits `(M, V)`, `T² · KL(softmax(teacher/T) ‖ softmax(student/T))`, summed over the rows (divide
    /// by `M` for the mean). The teacher is a constant (stop-gradient): only `dstudent` is written,
    /// `scale · T · (softmax(student/T) − softmax(teacher/T))`, the gradient of the summed loss times `scale`.
    /// Rows are split across `Parallel.threads`; each row's sums run in Double.
    @unsafe
    public static func distillationKL(
        student: UnsafePointer<Float>, teacher: UnsafePointer<Float>, rows m: Int, classes v: Int,
        temperature t: Float, scale: Float, dstudent: UnsafeMutablePointer<Float>
    ) -> Double {
        var perRow = [Double](repeating: 0, count: m)
        unsafe perRow.withUnsafeMutableBufferPointer { out in
            let out = out.baseAddress!
            Parallel.forRanges(m, minimumPerPart: 4) { r0, r1 in
                let pt = UnsafeMutablePointer<Double>.allocate(capacity: v)
                defer { unsafe pt.deallocate() }
                for r in r0..<r1 {
                    let s = unsafe student + r * v, te = unsafe teacher + r * v, ds = unsafe dstudent + r * v
                    var ms = -Float.infinity, mt = -Float.infinity
                    for j in 0..<v { ms = unsafe max(ms, s[j]); mt = unsafe max(mt, te[j]) }
                    var zs = 0.0, zt = 0.0
                    for j in 0..<v {
                        zs += unsafe Foundation.exp(Double((s[j] - ms) / t))
                        let et = unsafe Foundation.exp(Double((te[j] - mt) / t))
                        unsafe pt[j] = et
                        zt += et
                    }
                    let lzs = Foundation.log(zs), lzt = Foundation.log(zt)
                    var kl = 0.0
                    for j in 0..<v {
                        let lpt = unsafe Double((te[j] - mt) / t) - lzt, lps = unsafe Double((s[j] - ms) / t) - lzs
                        let p = unsafe pt[j] / zt
                        if p > 0 { kl += p * (lpt - lps) }
                        unsafe ds[j] = scale * t * Float(Foundation.exp(lps) - p)
                    }
                    unsafe out[r] = Double(t * t) * kl
                }
            }
        }
        return perRow.reduce(0, +)
    }
}
