import Cumin
import Foundation
import Logging
import NodeSet
import SpicerackClients
import SpicerackRemote
import TestSupport
import Testing
import TestBed

/// Puppet helpers on a bed of real sshd hosts, with small stand-ins for Wikimedia's `disable-puppet`,
/// `enable-puppet`, `run-puppet-agent` and `puppet-common.sh` placed in the bed's directory. Each host keeps its
/// state under its own directory (keyed by the address its sshd listens on).
@Suite("PuppetHosts", .tags(.sshd))
struct PuppetTests {
    static let common = """
        state="$(dirname "${BASH_SOURCE[0]}")/state/$(echo "$SSH_CONNECTION" | cut -d' ' -f3)"
        mkdir -p "$state"
        PUPPET_DISABLEDLOCK="$state/disabled.lock"
        PUPPET_SUMMARY="$state/last_run_summary.yaml"
        last_run_success() { test -f "$PUPPET_SUMMARY"; }

        """
    static let scripts = [
        "disable-puppet": "printf '%s' \"$1\" > \"$PUPPET_DISABLEDLOCK\"",
        "enable-puppet": "if [ \"$(cat \"$PUPPET_DISABLEDLOCK\" 2>/dev/null)\" = \"$1\" ]; then rm -f \"$PUPPET_DISABLEDLOCK\"; fi",
        "run-puppet-agent": """
            printf '%s\\n' "$@" > "$state/arguments"
            if [ "$1" = --enable ]; then [ "$(cat "$PUPPET_DISABLEDLOCK" 2>/dev/null)" = "$2" ] && rm -f "$PUPPET_DISABLEDLOCK"; fi
            [ -f "$PUPPET_DISABLEDLOCK" ] && { echo "Puppet is disabled"; exit 1; }
            sleep 1
            printf 'time:\\n  last_run: %s\\n' "$(date +%s)" > "$PUPPET_SUMMARY"
            """,
    ]

    /// A bed of 2 hosts with the stand-ins in `<bed>/puppet`.
    private func withPuppet(
        dryRun: Bool = false, _ body: (TestBed, PuppetHosts, String) async throws -> Void
    ) async throws {
        try await withRemoteBed(hosts: 2, dryRun: dryRun) { bed, remote, directory in
            let bin = directory + "/puppet"
            try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
            try Self.common.write(toFile: bin + "/puppet-common.sh", atomically: true, encoding: .utf8)
            for (name, body) in Self.scripts {
                let text = "#!/bin/bash\nsource \"$(dirname \"$0\")/puppet-common.sh\"\n\(body)\n"
                try text.write(toFile: bin + "/" + name, atomically: true, encoding: .utf8)
                try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: bin + "/" + name)
            }
            let hosts = try remote.hosts(NodeSet(nodes: ["host1", "host2"]))
            try await body(
                bed, PuppetHosts(hosts: hosts, commandDirectory: bin, commonScript: bin + "/puppet-common.sh"), bin)
        }
    }

    private func lock(_ bin: String, _ bed: TestBed, _ host: String) throws -> String? {
        let address = try bed.endpoint(of: host).address
        return try? String(contentsOfFile: "\(bin)/state/\(address)/disabled.lock", encoding: .utf8)
    }

    @Test("disabled: the reason reaches the hosts verbatim (no shell expansion), and Puppet is enabled again after an error")
    func disabled() async throws {
        try await withPuppet { bed, puppet, bin in
            let marker = NSTemporaryDirectory() + "puppet-pwned-\(getpid())"
            let reason = try Reason(
                reason: "Upgrading $(touch \(marker)) `id` 'quotes' ; exit 3", username: "alice", hostname: "cumin1001",
                taskID: "T1")
            struct Boom: Error {}
            await #expect(throws: Boom.self) {
                try await puppet.disabled(reason) {
                    try await puppet.checkDisabled()
                    #expect(try self.lock(bin, bed, "host1") == reason.description)
                    #expect(try self.lock(bin, bed, "host2") == reason.description)
                    throw Boom()
                }
            }
            #expect(!FileManager.default.fileExists(atPath: marker))
            try await puppet.checkEnabled()
            #expect(try lock(bin, bed, "host1") == nil)
        }
    }

    @Test("run passes its options, lastRun and waitSince see the new run; an old run times out")
    func runAndWait() async throws {
        try await withPuppet { bed, puppet, bin in
            let reason = try Reason(reason: "maintenance", username: "alice", hostname: "cumin1001")
            try await puppet.disable(reason)
            let start = Date()
            try await puppet.run(enableReason: reason, quiet: true, attempts: 3, batchSize: 1)
            let address = try bed.endpoint(of: "host2").address
            let arguments = try String(contentsOfFile: "\(bin)/state/\(address)/arguments", encoding: .utf8)
            #expect(arguments == "--enable\n\(reason.description)\n--quiet\n--attempts\n3\n")
            try await puppet.checkEnabled()
            let runs = try await puppet.lastRun()
            #expect(Set(runs.keys) == ["host1", "host2"])
            try await puppet.waitSince(start.addingTimeInterval(-2), tries: 1)
            await #expect {
                try await puppet.waitSince(Date().addingTimeInterval(60), tries: 2, delay: .milliseconds(100))
            } throws: {
                ($0 as? PuppetError)?.message.contains("Unable to get a successful Puppet run after") == true
            }
            // A disabled host makes run fail, naming the command.
            try await puppet.disable(reason)
            await #expect(throws: PuppetError.self) { try await puppet.run() }
        }
    }

    @Test("dry-run: disable and run are skipped, the checks run")
    func dryRun() async throws {
        try await withPuppet(dryRun: true) { bed, puppet, bin in
            let reason = try Reason(reason: "maintenance", username: "alice", hostname: "cumin1001")
            try await puppet.disable(reason)
            #expect(try lock(bin, bed, "host1") == nil)
            try await puppet.checkEnabled()
            try await puppet.run()
            #expect(try await puppet.lastRun().isEmpty)
        }
    }
}
