import Foundation
import Testing
@testable import CarinaTensor

@Suite struct FastMathTests {
    @Test func expMatchesLibmWithinThreeTenthsOfAMillionthRelative() {
        var worst: Float = 0
        var x: Float = -87
        while x < 88 {
            let v = FastMath.exp(FastMath.V(repeating: x))
            worst = max(worst, abs(v[3] - expf(x)) / expf(x))
            x += 0.0137
        }
        #expect(worst < 3e-7)
        // Clamped far outside the range: finite, and ~0 below.
        #expect(FastMath.exp(FastMath.V(repeating: -1000))[0] < 1e-37)
        #expect(FastMath.exp(FastMath.V(repeating: 1000))[0].isFinite)
    }

    @Test func erfMatchesLibmWithinFourTenthsOfAMillionth() {
        var worst: Float = 0
        var x: Float = -6
        while x < 6 {
            worst = max(worst, abs(FastMath.erf(FastMath.V(repeating: x))[5] - erff(x)))
            x += 0.00731
        }
        #expect(worst < 4e-7)  // A&S 7.1.26 (1.5e-7) plus Float32 rounding
    }

    @Test func vectorAndScalarTailsOfGELUAgree() {
        // 8-lane body and scalar tail compute the same function: compare a length-9 buffer with its shifted copy.
        let n = 9
        let x = Buf((0..<n).map { Float($0) * 0.7 - 3 }), y = Buf(n)
        GELU.forward(out: y.p, inp: x.p, count: n)
        for i in 0..<n {
            let ref = 0.5 * Double(x.p[i]) * (1 + erf(Double(x.p[i]) / 2.0.squareRoot()))
            #expect(abs(Double(y.p[i]) - ref) < 1e-6)
        }
    }
}
