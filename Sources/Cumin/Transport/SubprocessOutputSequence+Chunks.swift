import Subprocess

extension SubprocessOutputSequence {
    /// Calls `body` with each chunk of output until the stream ends; a read error ends the stream too.
    func forEachChunk(_ body: ([UInt8]) -> Void) async {
        do {
            for try await buffer in self {
                body(buffer.withUnsafeBytes { Array($0) })
            }
        } catch {
            // The process is gone or was killed: what was read is all there is.
        }
    }
}
