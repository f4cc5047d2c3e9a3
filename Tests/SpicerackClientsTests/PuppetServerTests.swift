import Cumin
import Foundation
import NodeSet
import SpicerackClients
import SpicerackRemote
import Testing
import TestBed

/// The Puppet CA helpers on a bed of real sshd hosts: host1 is the CA server, with small stand-ins for
/// `puppetserver ca list|sign|clean` (one state file per certificate: `<state> <fingerprint>`) and
/// `puppet node clean|deactivate` (appended to a log) placed in the bed's directory.
@Suite("PuppetServer")
struct PuppetServerTests {
    static let puppetserver = #"""
        #!/bin/bash
        dir="$(dirname "$0")"; ca="$dir/ca"; mkdir -p "$ca"
        [ "$1" = ca ] || exit 2
        action="$2"; shift 2; name=""
        while [ $# -gt 0 ]; do case "$1" in --certname) name="$2"; shift 2;; --format) shift 2;; *) shift;; esac; done
        echo "ca $action $name" >> "$dir/commands.log"
        case "$action" in
        list)
            if [ -f "$ca/$name" ]; then
                read -r state fp < "$ca/$name"
                printf '{"%s":[{"name":"%s","state":"%s","fingerprint":"%s","fingerprints":{"default":"%s"},"dns_alt_names":["DNS:%s"]}]}\n' \
                    "$state" "$name" "$state" "$fp" "$fp" "$name"
            else
                printf '{"missing":[{"name":"%s"}]}\n' "$name"; exit 1
            fi;;
        sign) read -r state fp < "$ca/$name" && [ "$state" = requested ] && echo "signed $fp" > "$ca/$name" \
                && echo "Successfully signed certificate request for $name";;
        clean) rm -f "$ca/$name";;
        esac
        """#
    static let puppet = #"""
        #!/bin/bash
        echo "$*" >> "$(dirname "$0")/commands.log"
        """#

    private func withServer(_ body: (PuppetServer, String) async throws -> Void) async throws {
        try await withRemoteBed(hosts: 2) { _, remote, directory in
            let bin = directory + "/puppetca"
            try FileManager.default.createDirectory(atPath: bin + "/ca", withIntermediateDirectories: true)
            for (name, text) in [("puppetserver", Self.puppetserver), ("puppet", Self.puppet)] {
                try (text + "\n").write(toFile: bin + "/" + name, atomically: true, encoding: .utf8)
                try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: bin + "/" + name)
            }
            #expect(throws: PuppetError.self) {
                _ = try PuppetServer(
                    server: try remote.hosts(NodeSet(nodes: ["host1", "host2"])), commandDirectory: bin)
            }
            let server = try PuppetServer(server: try remote.hosts(NodeSet(nodes: ["host1"])), commandDirectory: bin)
            try await body(server, bin)
        }
    }

    private func commands(_ bin: String) -> [String] {
        ((try? String(contentsOfFile: bin + "/commands.log", encoding: .utf8)) ?? "").split(separator: "\n").map(
            String.init)
    }

    @Test("sign checks the request and its fingerprint, verify wants it signed, waitForCSR waits for a request")
    func signAndVerify() async throws {
        try await withServer { server, bin in
            let host = "mw1001.eqiad.wmnet"
            try "requested AA:BB:CC\n".write(toFile: "\(bin)/ca/\(host)", atomically: true, encoding: .utf8)
            let request = try await server.certificateMetadata(host)
            #expect(request.state == "requested")
            #expect(request.fingerprint == "AA:BB:CC")
            #expect(request.fingerprints["default"] == "AA:BB:CC")
            #expect(request.dnsAltNames == ["DNS:\(host)"])
            try await server.waitForCSR(host, tries: 1)
            await #expect { try await server.verify(host) } throws: {
                ($0 as? PuppetError)?.message == "Expected certificate for \(host) to be signed, got: requested"
            }
            await #expect { try await server.sign(host, fingerprint: "00:00") } throws: {
                ($0 as? PuppetError)?.message
                    == "CSR fingerprint AA:BB:CC for \(host) does not match provided fingerprint 00:00"
            }
            #expect(!commands(bin).contains("ca sign \(host)"), "signed despite the wrong fingerprint")
            try await server.sign(host, fingerprint: "AA:BB:CC")
            try await server.verify(host)
            #expect(commands(bin).contains("ca sign \(host)"))
            await #expect { try await server.sign(host, fingerprint: "AA:BB:CC") } throws: {
                ($0 as? PuppetError)?.message == "Certificate for \(host) not in requested state, got: signed"
            }

            // No request yet: a check error, retried, then reported.
            let missing = await #expect(throws: PuppetError.self) {
                try await server.waitForCSR("mw1002.eqiad.wmnet", tries: 2, delay: .milliseconds(50))
            }
            #expect(missing?.isCheck == true)
            #expect(
                missing?.message.contains("no CSR for mw1002.eqiad.wmnet") == true, "\(String(describing: missing))")
        }
    }

    @Test("destroy cleans an existing certificate only; delete cleans and deactivates the node; names are checked")
    func destroyAndDelete() async throws {
        try await withServer { server, bin in
            let host = "mw1001.eqiad.wmnet"
            try "signed AA:BB\n".write(toFile: "\(bin)/ca/\(host)", atomically: true, encoding: .utf8)
            try await server.destroy(host)
            #expect(!FileManager.default.fileExists(atPath: "\(bin)/ca/\(host)"))
            try await server.destroy(host)  // nothing to do: no second clean
            #expect(commands(bin).filter { $0 == "ca clean \(host)" }.count == 1)
            try await server.delete(host)
            #expect(Array(commands(bin).suffix(2)) == ["node clean \(host)", "node deactivate \(host)"])

            let before = commands(bin).count
            for bad in ["mw1001; touch /tmp/pwned", "$(id)", "-rf", "a b", ""] {
                await #expect(throws: PuppetError.self) { try await server.destroy(bad) }
                await #expect(throws: PuppetError.self) { try await server.delete(bad) }
            }
            #expect(commands(bin).count == before, "a bad host name reached the server")
        }
    }
}
