import Cumin
import NodeSet
import SpicerackRemote
import Testing

/// Host selection and host-set operations; no host is contacted.
@Suite struct RemoteHostsTests {
    @Test func queryUsesCuminGrammarAndFoldsTheHosts() throws {
        var configuration = offlineConfiguration()
        configuration.aliases = ["web": "D{web[1-4]}"]
        let remote = makeRemote(configuration)
        let hosts = try remote.query("A:web and not D{web3}")
        #expect(hosts.description == "web[1-2,4]")
        #expect(hosts.count == 3)
        #expect(hosts.hosts == (try NodeSet("web[1-2,4]")))
        #expect(!hosts.useSudo)
        #expect(try remote.query("host[1-2]", useSudo: true).useSudo)
    }

    @Test func invalidQueryIsARemoteErrorWithCuminsPosition() throws {
        let remote = makeRemote(offlineConfiguration())
        let error = try #require(throws: RemoteError.self) { try remote.query("host[1-3") }
        #expect(error.message.hasPrefix("Failed to execute Cumin query: "))
        #expect(error.message.contains("position"))
        #expect(error.message.contains("^"))
        let alias = try #require(throws: RemoteError.self) { try remote.query("A:missing") }
        #expect(alias.message.contains("Unable to find alias replacement for 'missing'"))
    }

    @Test func emptySelectionIsNoHostsProvided() throws {
        let remote = makeRemote(offlineConfiguration())
        let error = try #require(throws: RemoteError.self) { try remote.query("D{host1} and not D{host1}") }
        #expect(error.message == "No hosts provided")
        #expect(throws: RemoteError("No hosts provided")) { try remote.hosts(NodeSet()) }
    }

    @Test func splitMakesNearlyEqualConsecutiveSlices() throws {
        let hosts = try makeRemote(offlineConfiguration()).query("host[1-10]", useSudo: true)
        #expect(hosts.split(into: 3).map(\.description) == ["host[1-4]", "host[5-7]", "host[8-10]"])
        #expect(hosts.split(into: 1).map(\.description) == ["host[1-10]"])
        #expect(hosts.split(into: 20).count == 10)
        #expect(hosts.split(into: 0).map(\.description) == ["host[1-10]"])
        #expect(hosts.split(into: 4).allSatisfy { $0.useSudo })
    }

    @Test func subsetMustBeInsideTheHosts() throws {
        let hosts = try makeRemote(offlineConfiguration()).query("host[1-5]")
        #expect(try hosts.subset(NodeSet("host[2-3]")).description == "host[2-3]")
        let error = try #require(throws: RemoteError.self) { try hosts.subset(NodeSet("host[4-7]")) }
        #expect(error.message.contains("host[6-7] are not among them"))
        #expect(error.hosts == (try NodeSet("host[6-7]")))
        #expect(throws: RemoteError.self) { try hosts.subset(NodeSet()) }
    }

    @Test func iterationYieldsOneRemoteHostsPerHost() throws {
        let hosts = try makeRemote(offlineConfiguration()).query("host[9-11]")
        #expect(hosts.map(\.description) == ["host9", "host10", "host11"])
        #expect(hosts.map(\.count) == [1, 1, 1])
    }

    @Test func unknownTransportIsARemoteError() async throws {
        var configuration = offlineConfiguration()
        configuration.transport = "carrier-pigeon"
        let hosts = try makeRemote(configuration).query("host1")
        let error = try await #require(throws: RemoteError.self) { try await hosts.runSync("true") }
        #expect(error.message.contains("Unknown transport 'carrier-pigeon'"))
    }

    @Test func invalidArgumentsAreRemoteErrors() async throws {
        let hosts = try makeRemote(offlineConfiguration(), transport: RecordingTransport()).query("host[1-2]")
        await #expect(throws: RemoteError.self) { try await hosts.runSync([Command]()) }
        await #expect(throws: RemoteError.self) { try await hosts.runSync("true", batchSize: .count(0)) }
        let threshold = try await #require(throws: RemoteError.self) {
            try await hosts.runSync("true", successThreshold: 1.5)
        }
        #expect(threshold.message.contains("success threshold 1.5 is outside 0...1"))
        await #expect(throws: RemoteError.self) { try await hosts.reboot(batchSize: 0) }
    }
}
