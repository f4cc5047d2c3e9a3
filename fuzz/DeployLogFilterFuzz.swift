// libFuzzer target: the `scap deploy-log` filter language. Built and run by scripts/fuzz.sh.
import Foundation
import Scap

let record = DeployLogRecord(
    name: "deploy", level: 20, message: "Finished deploy", host: "host1", created: Date(timeIntervalSince1970: 0))

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDeployLogFilter(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let filter = try? DeployLogFilter(parsing: text) { _ = filter.matches(record) }
    return 0
}
