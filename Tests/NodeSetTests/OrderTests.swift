import Testing

@testable import NodeSet

@Suite struct OrderTests {
    @Test func patternsSortAsStrings() throws {
        let nodes = try NodeSet("mw1.eqiad.wmnet,mw2.codfw.wmnet,db1")
        #expect(nodes.nodes == ["db1", "mw2.codfw.wmnet", "mw1.eqiad.wmnet"])
    }

    @Test func oneDimensionalIndexesSortByLengthThenText() throws {
        #expect(try NodeSet("x[9-11]").nodes == ["x9", "x10", "x11"])
        #expect(try NodeSet("n10,n001,n01,n1").nodes == ["n1", "n01", "n10", "n001"])
        #expect(try NodeSet("x[00-02],x[3-5]").nodes == ["x3", "x4", "x5", "x00", "x01", "x02"])
        #expect(try NodeSet("h[-2-1]").nodes == ["h-2", "h-1", "h0", "h1"])
    }

    @Test func multiDimensionalOrderFollowsFoldedVectors() throws {
        let nodes = try NodeSet("a[1-3]b[1-2]!a2b1")
        #expect(nodes.description == "a[1,3]b[1-2],a2b2")
        #expect(nodes.nodes == ["a1b1", "a1b2", "a3b1", "a3b2", "a2b2"])
        #expect(Array(nodes) == nodes.nodes)
    }

    @Test func iterationMatchesExpansion() throws {
        let nodes = try NodeSet("rack[1-2]-node[01-03],x[2000]c[0-1]s[0-1]b[0-1],localhost")
        #expect(nodes.nodes.count == nodes.count)
        #expect(Array(nodes).first == "localhost")
        #expect(NodeSet(nodes: nodes.nodes) == nodes)
    }
}
