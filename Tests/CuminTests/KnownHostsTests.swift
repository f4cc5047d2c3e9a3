import Foundation
import NodeSet
import Testing

@testable import Cumin

@Suite("Known hosts backend")
struct KnownHostsTests {
    @Test(arguments: [
        ("", KnownHostsBackend.Line.skipped("empty line")),
        ("   \t ", .skipped("empty line")),
        ("# host1 ssh-rsa AAAA", .skipped("comment")),
        ("  # indented comment", .skipped("comment")),
        ("|1|abc=|def= ssh-rsa AAAA", .skipped("hashed")),
        ("@revoked host1 ssh-rsa AAAA", .skipped("revoked")),
        ("@cert-authority *.example.org,ca1 ssh-rsa AAAA", .hosts(["ca1"], skipped: ["*.example.org"])),
        ("@cert-authority host1 ssh-rsa", .invalid("not enough fields")),
        ("@other host1 ssh-rsa AAAA", .invalid("unknown marker")),
        ("host1 ssh-rsa", .invalid("not enough fields")),
        ("host1", .invalid("not enough fields")),
        ("host1,host2 ssh-rsa AAAA", .hosts(["host1", "host2"], skipped: [])),
        ("host1\tssh-rsa\tAAAA", .hosts(["host1"], skipped: [])),
        ("[host1]:2222,[host2]:22 ssh-rsa AAAA", .hosts(["host1", "host2"], skipped: [])),
        ("!host1,host2 ssh-rsa AAAA", .hosts(["host1", "host2"], skipped: [])),
        ("web*,db?,192.0.2.1,::1,host3 ssh-rsa AAAA", .hosts(["host3"], skipped: ["web*", "db?", "192.0.2.1", "::1"])),
        ("01.2.3.4,,x ssh-rsa AAAA", .hosts(["01.2.3.4", "x"], skipped: [])),
    ])
    func lineRules(_ line: String, _ expected: KnownHostsBackend.Line) {
        #expect(KnownHostsBackend.parseLine(line) == expected)
    }

    /// Expected values from Python 3.11 `ipaddress.ip_address`.
    @Test(arguments: [
        ("192.0.2.1", true), ("0.0.0.0", true), ("255.255.255.255", true), ("256.1.1.1", false),
        ("01.2.3.4", false), ("1.2.3", false), ("1.2.3.4.5", false), ("1.2.3.04", false), ("::1", true), ("::", true),
        ("fe80::1%eth0", true), ("fe80::1%", false), ("2001:db8::1", true), ("1::2::3", false), ("host", false),
        ("::ffff:1.2.3.4", true), ("1:2:3:4:5:6:7:8", true), ("1:2:3:4:5:6:7:8:9", false), (":1:2:3:4:5:6:7", false),
        ("1:2:3:4:5:6:7:", false), ("12345::", false), ("abcd", false), ("1:2:3:4:5:6:7::", true),
        ("::1:2:3:4:5:6:7", true), ("::1:2:3:4:5:6:7:8", false), ("1:2:3:4:5:6::1.2.3.4", false),
        ("1:2:3:4:5:6:7:1.2.3.4", false), ("1::", true), ("a:b", false), ("x::1", false), ("1.2.3.4%e", false),
        ("::1%a%b", false), ("[::1]", false), ("\u{663}.1.1.1", false),
    ])
    func ipAddresses(_ text: String, _ isAddress: Bool) {
        #expect(KnownHostsBackend.isIPAddress(Substring(text)) == isAddress)
    }

    @Test(arguments: [
        ("*", "anything", true), ("kh-*", "kh-web1", true), ("kh-*", "web1", false), ("kh-web?", "kh-web1", true),
        ("kh-web?", "kh-web10", false), ("*1*", "a1b", true), ("**", "", true), ("?", "", false),
        ("a*b*c", "axxbyyc", true), ("a*b*c", "axxbyy", false), ("*.org", "x.example.org", true),
    ])
    func globbing(_ mask: String, _ name: String, _ matches: Bool) {
        #expect(KnownHostsBackend.glob(Array(mask.unicodeScalars), matches: Array(name.unicodeScalars)) == matches)
    }

    @Test func linesFollowPythonUniversalNewlines() {
        #expect(KnownHostsBackend.lines(of: "a\nb\r\nc\rd") == ["a", "b", "c", "d"])
        #expect(KnownHostsBackend.lines(of: "a\n\nb\n") == ["a", "", "b"])
    }

    @Test func wildcardsMatchKnownHostsOnly() throws {
        let backend = KnownHostsBackend(knownHosts: [
            "web1.example.org", "web2.example.org", "web10.example.org", "db1",
        ])
        #expect(try backend.execute(query: "web*").description == "web[1-2,10].example.org")
        #expect(try backend.execute(query: "web?.example.org").description == "web[1-2].example.org")
        #expect(try backend.execute(query: "web[1-2]*").description == "web[1-2,10].example.org")
        #expect(try backend.execute(query: "*,unknown1!db*").description == "web[1-2,10].example.org")
        #expect(try backend.execute(query: "db1 or nothere").description == "db1")
        #expect(try backend.execute(query: "(ZQXJzqxj*)").isEmpty)
    }

    @Test func filesAreReadWithWarnings() throws {
        let path = QueryFixtures.writeTemporaryFile(
            named: "known_hosts", contents: "host1 ssh-rsa AAAA\nbroken ssh-rsa\r\n@x h ssh-rsa AAAA\n")
        let backend = try KnownHostsBackend(files: [path])
        #expect(backend.knownHosts.nodes == ["host1"])
        #expect(
            backend.warnings == [
                "Discarded invalid line 2 (not enough fields) in known hosts file '\(path)': broken ssh-rsa",
                "Discarded invalid line 3 (unknown marker) in known hosts file '\(path)': @x h ssh-rsa AAAA",
            ])
        var configuration = Configuration()
        configuration.knownHostsFiles = [path]
        let result = try Query(configuration: configuration).evaluate("K{host*} or D{other}")
        #expect(result.hosts.description == "host1,other")
        #expect(result.warnings.count == 2)
    }

    @Test func aNodeSetPatternCountsAsTheHostsItFoldsTo() throws {
        let path = QueryFixtures.writeTemporaryFile(
            named: "known_hosts",
            contents: "@cert-authority kh-ca[1-2].example.net ssh-ed25519 AAAA\nkh-web1.example.net ssh-ed25519 AAAA\n"
                + "bad[1-.example.net ssh-ed25519 AAAA\n")
        let backend = try KnownHostsBackend(files: [path])
        #expect(backend.knownHosts.count == 3)
        #expect(backend.knownHosts.description == "kh-ca[1-2].example.net,kh-web1.example.net")
        #expect(backend.warnings.count == 1)
        #expect(backend.warnings.first?.contains("'bad[1-.example.net' on line 3") == true)
        var configuration = Configuration()
        configuration.knownHostsFiles = [path]
        let all = try Query(configuration: configuration).execute("K{kh-*}")
        #expect(all.count == 3)
        #expect(try NodeSet(all.description).count == all.count)
        #expect(try Query(configuration: configuration).execute("K{kh-ca2*}").nodes == ["kh-ca2.example.net"])
    }

    @Test func missingFileIsAClearError() throws {
        var configuration = Configuration()
        configuration.knownHostsFiles = ["/nonexistent/known_hosts"]
        do {
            _ = try Query(configuration: configuration).execute("D{a} or K{host*}")
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .knownHostsFile)
            #expect(error.message == "the known hosts file '/nonexistent/known_hosts' does not exist")
            #expect(error.position == 8)
            #expect(error.token == "K{")
        }
    }
}
