import Foundation
import Testing

@testable import NodeSet

/// One case of `Corpus/nodeset-cases.json`, generated from ClusterShell 1.9.3 by `scripts/nodeset-corpus.py`.
struct CorpusCase: Decodable, Sendable, CustomTestStringConvertible {
    var id: Int
    var kind: String
    var input: String?
    var names: [String]?
    var left: String?
    var op: String?
    var right: String?
    var folded: String?
    var count: Int?
    var order: [String]?
    var orderComplete: Bool?
    var error: String?

    var testDescription: String {
        switch kind {
        case "names": return "#\(id) names(\(names?.count ?? 0))"
        case "operation": return "#\(id) \(left ?? "") \(op ?? "") \(right ?? "")"
        default: return "#\(id) \(input ?? "")"
        }
    }
}

private struct CorpusFile: Decodable {
    var orderCap: Int
    var cases: [CorpusCase]
}

enum Corpus {
    static let cases: [CorpusCase] = load(
        Bundle.module.url(forResource: "nodeset-cases", withExtension: "json", subdirectory: "Corpus"))

    /// Optional larger corpus generated with another seed (see the header of `scripts/nodeset-corpus.py`).
    static let extraCases: [CorpusCase] = load(
        ProcessInfo.processInfo.environment["NODESET_EXTRA_CORPUS"].map { URL(fileURLWithPath: $0) })

    private static func load(_ url: URL?) -> [CorpusCase] {
        guard let url, let data = try? Data(contentsOf: url),
            let file = try? JSONDecoder().decode(CorpusFile.self, from: data)
        else { return [] }
        return file.cases
    }
}

@Suite struct CorpusTests {
    @Test func corpusIsLoaded() {
        #expect(Corpus.cases.count >= 600)
    }

    @Test(arguments: Corpus.cases)
    func matchesClusterShell(_ testCase: CorpusCase) {
        check(testCase)
    }

    @Test(.enabled(if: !Corpus.extraCases.isEmpty), arguments: Corpus.extraCases)
    func matchesExtraCorpus(_ testCase: CorpusCase) {
        check(testCase)
    }

    private func check(_ testCase: CorpusCase) {
        let result: Result<NodeSet, NodeSetParseError>
        switch testCase.kind {
        case "names":
            result = .success(NodeSet(nodes: testCase.names ?? []))
        case "operation":
            result = Result { () throws(NodeSetParseError) -> NodeSet in
                let left = try NodeSet(testCase.left ?? "")
                let right = try NodeSet(testCase.right ?? "")
                switch testCase.op {
                case "union": return left.union(right)
                case "intersection": return left.intersection(right)
                case "difference": return left.subtracting(right)
                default: return left.symmetricDifference(right)
                }
            }
        default:
            result = Result { () throws(NodeSetParseError) -> NodeSet in try NodeSet(testCase.input ?? "") }
        }
        if let expectedError = testCase.error {
            switch result {
            case .success(let set):
                Issue.record("expected error \(expectedError), got \(set.description)")
            case .failure:
                break
            }
            return
        }
        switch result {
        case .failure(let error):
            Issue.record("unexpected error: \(error)")
        case .success(let set):
            #expect(set.description == testCase.folded)
            #expect(set.count == testCase.count)
            let expectedOrder = testCase.order ?? []
            let order = Array(set.nodes.prefix(expectedOrder.count))
            #expect(order == expectedOrder)
            if testCase.orderComplete == true { #expect(set.nodes.count == expectedOrder.count) }
            // Re-parsing the folded form folds the same way (sets may differ: `node--2` re-reads as `node-` + 2).
            if let reparsed = try? NodeSet(set.description) { #expect(reparsed.description == set.description) }
        }
    }
}
