import Testing

@testable import NodeSet

@Suite struct AlgebraTests {
    private func set(_ text: String) throws -> NodeSet { try NodeSet(text) }

    @Test func operatorsApplyLeftToRight() throws {
        #expect(try set("host[1-5],host[6-10]&host[5-6]").description == "host[5-6]")
        #expect(try set("a,b!a").description == "b")
        #expect(try set("h[1-10]^h[5-15]").description == "h[1-4,11-15]")
    }

    @Test func apiMatchesExpressionOperators() throws {
        let left = try set("rack[1-3]-node[1-3],db[1-4]")
        let right = try set("rack[2-4]-node[2-4],db[3-6]")
        #expect(left.union(right) == (try set("rack[1-3]-node[1-3],db[1-4],rack[2-4]-node[2-4],db[3-6]")))
        #expect(left.intersection(right).description == "db[3-4],rack[2-3]-node[2-3]")
        #expect(left.subtracting(right).description == "db[1-2],rack1-node[1-3],rack[2-3]-node1")
        #expect(left.symmetricDifference(right).count == left.union(right).count - left.intersection(right).count)
    }

    @Test func inPlaceVariants() throws {
        var nodes = try set("h[1-10]")
        nodes.subtract(try set("h[2-9]"))
        #expect(nodes.description == "h[1,10]")
        nodes.formUnion(try set("h5"))
        #expect(nodes.description == "h[1,5,10]")
        nodes.formIntersection(try set("h[5-20]"))
        #expect(nodes.description == "h[5,10]")
        nodes.formSymmetricDifference(try set("h[10-11]"))
        #expect(nodes.description == "h[5,11]")
        nodes.insert("h6")
        nodes.insert("  h7 ")
        #expect(nodes.description == "h[5-7,11]")
    }

    @Test func paddingMakesDistinctNodes() throws {
        let nodes = try set("n1,n01,n001")
        #expect(nodes.count == 3)
        #expect(nodes.contains("n01"))
        #expect(!nodes.contains("n0001"))
        #expect(try set("host[01-05]&host[1-5]").isEmpty)
    }

    @Test func membershipAndEquality() throws {
        let nodes = try set("rack[1-2]-node[1-2]!rack1-node1")
        #expect(nodes.contains("rack1-node2"))
        #expect(!nodes.contains("rack1-node1"))
        #expect(!nodes.contains("rack[1-2]-node1"))
        #expect(nodes == NodeSet(nodes: ["rack2-node1", "rack2-node2", "rack1-node2"]))
        #expect(Set([nodes, NodeSet(nodes: ["rack1-node2", "rack2-node2", "rack2-node1"])]).count == 1)
        #expect(nodes.isSubset(of: try set("rack[1-2]-node[1-2]")))
        #expect(try set("rack[1-2]-node[1-2]").isSuperset(of: nodes))
    }

    @Test func emptySets() throws {
        #expect(NodeSet().description == "")
        #expect(try set("   ").isEmpty)
        #expect(try set("a!a").description == "")
        #expect(NodeSet(nodes: ["", "  "]).isEmpty)
    }

    @Test func incrementalBuildMatchesBulkBuild() throws {
        var incremental = NodeSet()
        let names = (1...2000).map { "host\($0 * 7 % 2003)" }
        for name in names { incremental.insert(name) }
        _ = incremental.description
        incremental.insert("host9999")
        var bulk = NodeSet(nodes: names)
        bulk.insert("host9999")
        #expect(incremental == bulk)
        #expect(incremental.description == bulk.description)
    }

    @Test func copiesDoNotShareMutations() throws {
        let original = try set("h[1-3]")
        _ = original.description
        var copy = original
        copy.insert("h4")
        #expect(original.description == "h[1-3]")
        #expect(copy.description == "h[1-4]")
    }
}
