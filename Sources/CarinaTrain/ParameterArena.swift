import CarinaTensor

/// One named parameter tensor inside the arena.
public struct ParameterTensor: Sendable, Equatable {
    public var name: String
    public var shape: [Int]
    /// Offset in floats from the start of the arena.
    public var offset: Int
    public var count: Int { shape.reduce(1, *) }
}

/// One flat allocation holding the parameters, their gradients and AdamW's two moments, four slabs in the same
/// layout (llm.c's arena): `[params | grads | m | v]`, each `count` floats.
///
/// The first `trainableCount` floats are trained; the rest are buffers (BatchNorm running statistics) that live in
/// the parameter slab, and so in checkpoints, but get no gradient and no optimiser update.
@safe public final class ParameterArena: @unchecked Sendable {
    public let tensors: [ParameterTensor]
    public let count: Int
    /// Floats at the start of the arena the optimiser updates (the parameters before the buffers).
    public let trainableCount: Int
    let storage: UnsafeMutablePointer<Float>

    /// Builds the layout from `(name, shape)` pairs in order, then the `buffers`, and zero-fills all four slabs.
    public init(_ specs: [(String, [Int])], buffers: [(String, [Int])] = []) {
        var offset = 0
        var tensors = [ParameterTensor]()
        var trainable = 0
        for (i, (name, shape)) in (specs + buffers).enumerated() {
            if i == specs.count { trainable = offset }
            tensors.append(ParameterTensor(name: name, shape: shape, offset: offset))
            offset += shape.reduce(1, *)
        }
        self.tensors = tensors
        count = offset
        trainableCount = buffers.isEmpty ? offset : trainable
        unsafe storage = .allocate(capacity: 4 * max(offset, 1))
        unsafe storage.initialize(repeating: 0, count: 4 * max(offset, 1))
    }

    deinit { unsafe storage.deallocate() }

    var params: UnsafeMutablePointer<Float> { unsafe storage }

    /// The index of the first parameter that is NaN or infinite, or nil when all are finite.
    public var firstNonFiniteParameter: Int? {
        unsafe UnsafeBufferPointer(start: params, count: count).firstIndex { !$0.isFinite }
    }
    var grads: UnsafeMutablePointer<Float> { unsafe storage + count }
    var firstMoment: UnsafeMutablePointer<Float> { unsafe storage + 2 * count }
    var secondMoment: UnsafeMutablePointer<Float> { unsafe storage + 3 * count }

    /// The tensor named `name` (a programmer error if absent).
    public func tensor(_ name: String) -> ParameterTensor {
        guard let t = tensors.first(where: { $0.name == name }) else { preconditionFailure("no parameter \(name)") }
        return t
    }

    /// A copy of the parameter values of `name`.
    public func values(_ name: String) -> [Float] {
        let t = tensor(name)
        return (0..<t.count).map { unsafe params[t.offset + $0] }
    }

    /// A copy of the gradient of `name`.
    public func gradient(_ name: String) -> [Float] {
        let t = tensor(name)
        return (0..<t.count).map { unsafe grads[t.offset + $0] }
    }

    /// Overwrites the values of `name` (count must match).
    public func setValues(_ name: String, _ values: [Float]) {
        let t = tensor(name)
        precondition(values.count == t.count, "\(name) holds \(t.count) values, got \(values.count)")
        for (i, v) in values.enumerated() { unsafe params[t.offset + i] = v }
    }

    /// All parameters, gradients or moments as arrays (checkpoints, tests).
    public var allParameters: [Float] { unsafe Array(UnsafeBufferPointer(start: params, count: count)) }
    public var allGradients: [Float] { unsafe Array(UnsafeBufferPointer(start: grads, count: count)) }

    /// Overwrites every parameter (arena order).
    public func setAll(_ values: [Float]) {
        precondition(values.count == count, "the arena holds \(count) parameters, got \(values.count)")
        unsafe values.withUnsafeBufferPointer { unsafe params.update(from: $0.baseAddress!, count: count) }
    }

    /// Zeroes the gradients of one range of the arena.
    func zeroGradients(_ range: Range<Int>) {
        unsafe (grads + range.lowerBound).update(repeating: 0, count: range.count)
    }

    func zeroGradients() {
        let g = unsafe grads
        Parallel.forRanges(count, minimumPerPart: 1 << 16) { s, e in unsafe (g + s).update(repeating: 0, count: e - s) }
    }
}
