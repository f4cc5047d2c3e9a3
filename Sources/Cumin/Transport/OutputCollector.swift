import Synchronization

/// Accumulates the two output streams of one process, and their interleaving, from concurrent readers.
public final class OutputCollector: Sendable {
    private struct Buffers {
        var stdout: [UInt8] = []
        var stderr: [UInt8] = []
        var combined: [UInt8] = []
    }

    private let buffers = Mutex(Buffers())
    private let limit: Int

    /// Creates a collector that keeps at most `limit` bytes per stream (the rest is dropped and counted).
    public init(limit: Int) {
        self.limit = limit
    }

    /// Adds a chunk of `stream`, up to the limit.
    public func append(_ chunk: [UInt8], from stream: OutputStream) {
        buffers.withLock { buffers in
            switch stream {
            case .stdout:
                guard buffers.stdout.count < limit else { return }
                buffers.stdout.append(contentsOf: chunk.prefix(limit - buffers.stdout.count))
            case .stderr:
                guard buffers.stderr.count < limit else { return }
                buffers.stderr.append(contentsOf: chunk.prefix(limit - buffers.stderr.count))
            }
            if buffers.combined.count < 2 * limit {
                buffers.combined.append(contentsOf: chunk.prefix(2 * limit - buffers.combined.count))
            }
        }
    }

    /// What was kept: each stream, and both in arrival order.
    public func take() -> (stdout: [UInt8], stderr: [UInt8], combined: [UInt8]) {
        buffers.withLock { ($0.stdout, $0.stderr, $0.combined) }
    }
}
