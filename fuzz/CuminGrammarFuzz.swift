// libFuzzer target: cumin's query grammar (global and host grammars). Built and run by scripts/fuzz.sh.
@testable import Cumin

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCuminGrammar(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = try? QueryGrammar.parseGlobal(text)
    _ = try? QueryGrammar.parseHosts(text, wildcards: true)
    return 0
}
