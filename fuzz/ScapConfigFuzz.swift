// libFuzzer target: scap.cfg (INI parsing, key coercion, target lists). Built and run by scripts/fuzz.sh.
import Foundation
import Scap

let root = NSTemporaryDirectory() + "scap-fuzz-\(getpid())"
let scapDirectory = root + "/scap"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzScapConfig(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(UnsafeBufferPointer(start: data, count: size))
    try? FileManager.default.createDirectory(atPath: scapDirectory, withIntermediateDirectories: true)
    _ = FileManager.default.createFile(atPath: scapDirectory + "/scap.cfg", contents: bytes)
    var loader = ScapConfigLoader(root: root, hostname: "deploy1001")
    loader.systemConfigPath = nil
    if let config = try? loader.load() {
        _ = try? config.deployGroups(root: root, systemGroupDirectory: nil)
    }
    _ = try? TargetList(parsing: String(decoding: bytes, as: UTF8.self), path: "fuzz")
    return 0
}
