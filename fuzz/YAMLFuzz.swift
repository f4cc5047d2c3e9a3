// libFuzzer target: the YAML configuration loaders (Wmflib's limits, cumin's configuration and aliases).
// Built and run by scripts/fuzz.sh.
import Cumin
import Wmflib

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzYAML(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = try? composeYAML(text, path: "fuzz.yaml")
    _ = try? Configuration.parse(yaml: text, path: "fuzz.yaml")
    _ = try? Configuration.parseAliases(yaml: text, path: "fuzz.yaml")
    return 0
}
