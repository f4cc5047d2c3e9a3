import Testing

@testable import NodeSet

/// SplitMix64: a tiny deterministic generator so the fuzz inputs are the same on every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}

@Suite struct FuzzTests {
    static let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789[]-,!&^/ %")

    /// Parses every input: a set must print in a form that parses back to it, an error must point into the
    /// input. Both outcomes must be reached many times, or the loop checked nothing.
    static func checkParsing(_ inputs: [String]) {
        var parsed = 0
        var rejected = 0
        for input in inputs {
            do {
                let nodes = try NodeSet(input)
                parsed += 1
                #expect(nodes.nodes.count == nodes.count)
                #expect((try? NodeSet(nodes.description)) == nodes, "\(input) -> \(nodes.description)")
            } catch {
                rejected += 1
                #expect(error.expression == input)
                #expect(error.position >= 0 && error.position <= input.count)
            }
        }
        #expect(parsed > 100)
        #expect(rejected > 100)
    }

    @Test func randomStringsNeverCrash() {
        var generator = SplitMix64(state: 0x5EED)
        Self.checkParsing(
            (0..<4000).map { _ in
                let length = Int.random(in: 1...24, using: &generator)
                return String((0..<length).map { _ in Self.alphabet.randomElement(using: &generator) ?? "a" })
            })
    }

    @Test func bracketHeavyStringsNeverCrash() {
        var generator = SplitMix64(state: 42)
        let pieces = ["[", "]", "-", ",", "0", "1", "9", "/", "!", "&", "^", " ", "n", "00", "-1", "[1-3]"]
        Self.checkParsing(
            (0..<3000).map { _ in
                let count = Int.random(in: 1...12, using: &generator)
                return (0..<count).map { _ in pieces.randomElement(using: &generator) ?? "" }.joined()
            })
    }

    @Test func literalNamesNeverCrash() {
        var generator = SplitMix64(state: 7)
        var names: [String] = []
        for _ in 0..<3000 {
            let length = Int.random(in: 0...16, using: &generator)
            names.append(String((0..<length).map { _ in Self.alphabet.randomElement(using: &generator) ?? "a" }))
        }
        let nodes = NodeSet(nodes: names)
        #expect(nodes.nodes.count == nodes.count)
        for name in names where !name.allSatisfy({ $0 == " " }) {
            #expect(nodes.contains(name), "\(name)")
        }
    }
}
