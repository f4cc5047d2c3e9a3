// libFuzzer target: NodeSet expressions. Built and run by scripts/fuzz.sh.
import NodeSet

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNodeSet(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    // A small cap keeps each input fast; the parser's limits are what is under test.
    guard let nodes = try? NodeSet(text, sizeLimit: 10_000) else { return 0 }
    // The printed form must parse back, to a set of the same size. (Not always the same set: as in ClusterShell,
    // a negative index from `n[-21]` prints as `n-21`, which reads back as index 21 after a literal '-'.)
    guard let again = try? NodeSet(nodes.description, sizeLimit: 10_000), again.count == nodes.count else {
        fatalError("round trip failed: \(text.debugDescription) -> \(nodes.description.debugDescription)")
    }
    return 0
}
