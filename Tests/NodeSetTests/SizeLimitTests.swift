import Testing

@testable import NodeSet

/// The total cap on a set being built, and syntax errors reported before any range is expanded.
@Suite struct SizeLimitTests {
    /// Many terms each under the per-term cap used to add up to gigabytes: the union is refused first.
    @Test func unionOfLargeTermsIsRefusedAtTheCap() throws {
        // The second term is refused before it is expanded: its size is known from its bounds.
        let expression = (0..<20).map { "n\($0)x[1-9000000]" }.joined(separator: ",")
        let start = ContinuousClock.now
        #expect {
            _ = try NodeSet(expression, sizeLimit: 1_000_000)
        } throws: { error in
            (error as? NodeSetParseError)?.message == "set too large (more than 1000000 nodes)"
        }
        #expect(ContinuousClock.now - start < .seconds(5))
        let small = (0..<20).map { "n\($0)x[1-90000]" }.joined(separator: ",")
        #expect(throws: NodeSetParseError.self) { try NodeSet(small, sizeLimit: 1_000_000) }
        #expect(try NodeSet(small, sizeLimit: 2_000_000).count == 1_800_000)
    }

    @Test func theCapIsConfigurable() throws {
        #expect(try NodeSet("web[1-2000]", sizeLimit: 2000).count == 2000)
        #expect(throws: NodeSetParseError.self) { try NodeSet("web[1-2000],db1", sizeLimit: 2000) }
        #expect(throws: NodeSetParseError.self) { try NodeSet("web[1-3]^db[1-3]", sizeLimit: 5) }
        // Differences and intersections only shrink the set.
        #expect(try NodeSet("web[1-4]!web[1-2]", sizeLimit: 4).count == 2)
        #expect(NodeSet.defaultSizeLimit == 10_000_000)
    }

    @Test func aSecondAxisBeyondTheTermCapIsRefusedBeforeTheThird() throws {
        let start = ContinuousClock.now
        #expect(throws: NodeSetParseError.self) {
            try NodeSet("r[1-100000]n[1-9000000]x[1-9000000]y[1-9000000]z[1-9000000]", sizeLimit: 1_000_000)
        }
        #expect(ContinuousClock.now - start < .seconds(5))
    }

    /// A malformed expression fails on its syntax before its large ranges are expanded.
    @Test func syntaxErrorsComeBeforeExpansion() throws {
        let terms = (0..<6).map { "a\($0)x[1-9000000]!a\($0)x[1-9000000]" }.joined(separator: ",")
        let expression = terms + ",b[1-"
        let start = ContinuousClock.now
        #expect {
            _ = try NodeSet(expression)
        } throws: { error in
            (error as? NodeSetParseError)?.message == "missing bracket"
        }
        // Expanding the six pairs takes many seconds; the syntax pass alone takes milliseconds.
        #expect(ContinuousClock.now - start < .seconds(1))
    }
}

/// Found by the fuzz target: overlapping items hide a term's size from the early check, and used to expand
/// millions of indexes however small the cap.
@Test func overlappingItemsAreBoundedByTheCap() throws {
    let start = ContinuousClock.now
    #expect(throws: NodeSetParseError.self) { try NodeSet("9.0.0.[0--4444444,]4h0-hotRang1", sizeLimit: 100_000) }
    #expect(throws: NodeSetParseError.self) { try NodeSet("n[1-4000000,1-4000000]", sizeLimit: 100_000) }
    #expect(ContinuousClock.now - start < .seconds(2))
    #expect(try NodeSet("n[1-50000,1-50000]", sizeLimit: 100_000).count == 50_000)
}
