/// One allocation carved into named activation slices; freed with the buffer.
@safe final class ActivationBuffer {
    private var chunks: [UnsafeMutablePointer<Float>] = unsafe []
    private(set) var floats = 0

    /// A zero-filled slice of `count` floats living as long as this buffer.
    func take(_ count: Int) -> UnsafeMutablePointer<Float> {
        let p = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
        unsafe p.initialize(repeating: 0, count: max(count, 1))
        unsafe chunks.append(p)
        floats += count
        return unsafe p
    }

    deinit { for unsafe p in unsafe chunks { unsafe p.deallocate() } }
}
