import Foundation
import TestSupport
import Testing

@testable import TestBed

#if canImport(Glibc)
    import Glibc
#endif

/// A bed in a fresh directory, stopped and deleted by `close()`.
struct ScratchBed {
    let bed: TestBed
    let directory: String

    init(hosts: Int = 3, shared: Int = 5, port: Int? = nil) throws {
        let unique = "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        directory = "/tmp/testbed-tests-\(unique)"
        bed = try TestBed.start(
            TestBedConfiguration(
                directory: directory, hostCount: hosts, port: port, sharedHostCount: shared,
                kexAlgorithms: "curve25519-sha256"))
    }

    func close() {
        try? bed.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs `command` on `host`, recording a test issue on timeout.
    func ssh(_ host: String, _ command: String, options: [String] = [], timeout: Double = 20) throws
        -> TestBedCommandResult
    {
        let result = try bed.ssh(host, command, options: options, timeout: timeout)
        #expect(!result.timedOut, "ssh \(host) \(command) timed out")
        return result
    }
}

private let isRoot = geteuid() == 0

/// Whether `pid` no longer runs (our own children are reaped by the bed; a zombie counts as gone).
private func isGone(_ pid: Int32) -> Bool {
    kill(pid, 0) != 0 || ProcessTable.state(of: pid) == "Z"
}

@Suite("TestBed", .tags(.sshd), .serialized)
struct TestBedTests {
    @Test("hosts answer over ssh with an empty HOME, shared names too")
    func hostsAnswer() throws {
        let scratch = try ScratchBed()
        defer { scratch.close() }
        let bed = scratch.bed
        #expect(bed.hosts == ["host1", "host2", "host3"])
        #expect(bed.sharedHosts == (1...5).map { "bench-host-00\($0)" })
        #expect(bed.hostsExpression == "host[1-3]")
        #expect(bed.sharedHostsExpression == "bench-host-[001-005]")

        let result = try scratch.ssh("host2", "hostname; echo $HOME; echo $CUMIN_TESTBED_HOST")
        #expect(result.exitCode == 0, "\(result.standardError)")
        let lines = result.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        if isRoot { #expect(lines.first == "host2") }
        #expect(lines.dropFirst().first == scratch.directory + "/hosts/host2/home")
        #expect(lines.last == "host2")

        let shared = try scratch.ssh("bench-host-004", "echo ok")
        #expect(shared.exitCode == 0, "\(shared.standardError)")
        #expect(shared.standardOutput == "ok\n")

        let config = try String(contentsOfFile: bed.sshConfigPath, encoding: .utf8)
        #expect(config.contains("Host host1\n  HostName 127.0.1.1\n  Port \(bed.port)\n"))
        #expect(config.contains("Host bench-host-*\n  HostName 127.0.0.1\n  Port \(bed.port + 1)\n"))
        #expect(config.contains("KexAlgorithms curve25519-sha256"))
        #expect(try bed.endpoint(of: "host3") == TestBedEndpoint(address: "127.0.1.3", port: bed.port))
        #expect(try bed.endpoint(of: "bench-host-001") == TestBedEndpoint(address: "127.0.0.1", port: bed.port + 1))
    }

    @Test("every sshd has its own host key and serves it")
    func distinctHostKeys() throws {
        let scratch = try ScratchBed()
        defer { scratch.close() }
        let directories = scratch.bed.hosts.map { scratch.directory + "/hosts/" + $0 } + [scratch.directory + "/shared"]
        var keys: [String] = []
        for directory in directories {
            let publicKey = try String(contentsOfFile: directory + "/ssh_host_ed25519_key.pub", encoding: .utf8)
            keys.append(publicKey.split(separator: " ").dropFirst().first.map(String.init) ?? "")
            let config = try String(contentsOfFile: directory + "/sshd_config", encoding: .utf8)
            #expect(config.contains("HostKey \(directory)/ssh_host_ed25519_key\n"))
        }
        #expect(Set(keys).count == directories.count)
        #expect(!keys.contains(""))

        // The key host2 presents is host2's.
        let endpoint = try scratch.bed.endpoint(of: "host2")
        let scan = try ChildProcess.run(
            try Tools.find("ssh-keyscan", environment: "CUMIN_TESTBED_SSH_KEYSCAN", hint: "openssh-client"),
            ["-t", "ed25519", "-p", String(endpoint.port), endpoint.address], timeout: 20)
        #expect(scan.standardOutput.contains(keys[1]), "\(scan.standardOutput) \(scan.standardError)")
    }

    @Test("each host has a private /srv, visible on the controller at srvPath", .enabled(if: isRoot, "needs root"))
    func privateSrv() throws {
        let scratch = try ScratchBed()
        defer { scratch.close() }
        let bed = scratch.bed
        #expect(try scratch.ssh("host1", "echo one > /srv/marker").exitCode == 0)
        #expect(try scratch.ssh("host2", "test -e /srv/marker").exitCode == 1)
        #expect(!FileManager.default.fileExists(atPath: "/srv/marker"))
        let copy = try String(contentsOfFile: bed.srvPath(of: "host1") + "/marker", encoding: .utf8)
        #expect(copy == "one\n")
        #expect(bed.srvPath(of: "host1") == scratch.directory + "/hosts/host1/srv")
        #expect(bed.srvPath(of: "bench-host-002") == scratch.directory + "/shared/srv")
    }

    @Test("a stopped host refuses connections and comes back")
    func downAndUp() throws {
        let scratch = try ScratchBed()
        defer { scratch.close() }
        let bed = scratch.bed
        let before = try bed.status().first { $0.name == "host2" }
        try bed.stopHost("host2")
        if let pid = before?.pid { #expect(isGone(pid)) }
        #expect(try bed.status().first { $0.name == "host2" }?.state == .down)
        let refused = try scratch.ssh("host2", "true")
        #expect(refused.exitCode == 255)
        #expect(refused.standardError.contains("Connection refused"), "\(refused.standardError)")
        #expect(try scratch.ssh("host1", "true").exitCode == 0)
        try bed.stopHost("host2")  // idempotent

        try bed.startHost("host2")
        #expect(try bed.status().first { $0.name == "host2" }?.state == .running)
        #expect(try scratch.ssh("host2", "true").exitCode == 0)
    }

    @Test("a frozen host makes ssh time out; thawed it answers again")
    func freezeAndThaw() throws {
        let scratch = try ScratchBed()
        defer { scratch.close() }
        let bed = scratch.bed
        try bed.freezeHost("host3")
        #expect(try bed.status().first { $0.name == "host3" }?.state == .frozen)
        let frozen = try scratch.ssh("host3", "true", options: ["-o", "ConnectTimeout=2"])
        #expect(frozen.exitCode == 255)
        #expect(frozen.duration >= 1.5 && frozen.duration < 6, "took \(frozen.duration) s")
        #expect(frozen.standardError.contains("timed out"), "\(frozen.standardError)")
        #expect(try scratch.ssh("host1", "true").exitCode == 0)

        try bed.thawHost("host3")
        #expect(try scratch.ssh("host3", "true").exitCode == 0)
    }

    @Test("a slow host runs commands late and keeps their exit code")
    func slowHost() throws {
        let scratch = try ScratchBed()
        defer { scratch.close() }
        let bed = scratch.bed
        try bed.setSlow("host1", delay: 1.5)
        let slow = try scratch.ssh("host1", "echo late; exit 3")
        #expect(slow.exitCode == 3)
        #expect(slow.standardOutput == "late\n")
        #expect(slow.duration >= 1.5, "took \(slow.duration) s")
        #expect(try bed.status().first { $0.name == "host1" }?.slowDelay == 1.5)
        let other = try scratch.ssh("host2", "true")
        #expect(other.duration < 1.5)

        try bed.setSlow("host1", delay: 0)
        let normal = try scratch.ssh("host1", "exit 4")
        #expect(normal.exitCode == 4)
        #expect(normal.duration < 1.5, "took \(normal.duration) s")
    }

    @Test("stop ends every recorded process, frozen ones too, and is idempotent; attach sees the same bed")
    func stopEndsEverything() throws {
        let scratch = try ScratchBed()
        defer { scratch.close() }
        let bed = scratch.bed
        let attached = try TestBed.attach(directory: scratch.directory)
        #expect(attached.hosts == bed.hosts)
        #expect(attached.sharedHosts == bed.sharedHosts)
        #expect(attached.sshConfigPath == bed.sshConfigPath)
        try attached.freezeHost("host1")
        let pids = try bed.processIDs()
        #expect(pids.count == 4)
        #expect(pids.allSatisfy { !isGone($0) })

        try bed.stop()
        #expect(pids.allSatisfy(isGone))
        #expect(!bed.isRunning)
        try bed.stop()
        try attached.stop()
        #expect(throws: TestBedError.notRunning(directory: scratch.directory)) {
            try TestBed.attach(directory: scratch.directory)
        }
        #expect(throws: TestBedError.notRunning(directory: scratch.directory)) { try bed.stopHost("host1") }
    }

    @Test("starting over a stale bed in the same directory stops it first")
    func staleBedIsStopped() throws {
        let scratch = try ScratchBed(hosts: 2, shared: 0)
        defer { scratch.close() }
        let oldPIDs = try scratch.bed.processIDs()
        let restarted = try TestBed.start(
            TestBedConfiguration(directory: scratch.directory, hostCount: 2, kexAlgorithms: "curve25519-sha256"))
        #expect(oldPIDs.allSatisfy(isGone))
        #expect(try restarted.processIDs().count == 2)
        #expect(try restarted.ssh("host2", "true").exitCode == 0)
    }

    @Test("a taken address is reported; automatic ports avoid it")
    func addressInUse() throws {
        let first = try ScratchBed(hosts: 2, shared: 0)
        defer { first.close() }
        let directory = first.directory + "-second"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let clash = TestBedConfiguration(directory: directory, hostCount: 2, port: first.bed.port)
        #expect(throws: TestBedError.addressInUse(address: "127.0.1.1", port: first.bed.port)) {
            try TestBed.start(clash)
        }
        var automatic = clash
        automatic.port = nil
        let second = try TestBed.start(automatic)
        defer { try? second.stop() }
        #expect(second.port != first.bed.port)
        #expect(try second.ssh("host1", "true").exitCode == 0)
    }

    @Test("fault injection on a shared name and bad configurations are refused clearly")
    func refusals() throws {
        let scratch = try ScratchBed(hosts: 1, shared: 3)
        defer { scratch.close() }
        #expect {
            try scratch.bed.freezeHost("bench-host-002")
        } throws: { error in
            guard case .unsupported(let host, _) = error as? TestBedError else { return false }
            return host == "bench-host-002"
        }
        #expect {
            try scratch.bed.stopHost("nohost")
        } throws: { error in
            guard case .unknownHost(let name, _) = error as? TestBedError else { return false }
            return name == "nohost"
        }
        for configuration in [
            TestBedConfiguration(directory: "relative", hostCount: 1),
            TestBedConfiguration(directory: "/tmp/x", hostCount: 255),
            TestBedConfiguration(directory: "/tmp/x", hostCount: 1, addressPrefix: "10.0.0"),
            TestBedConfiguration(directory: "/tmp/with space", hostCount: 1),
        ] {
            #expect {
                try TestBed.start(configuration)
            } throws: { error in
                guard case .invalidConfiguration = error as? TestBedError else { return false }
                return true
            }
        }
        #expect(throws: TestBedError.self) { try scratch.bed.setSlow("host1", delay: -1) }
    }

    @Test("200 shared names start quickly and answer")
    func manySharedNames() throws {
        let started = monotonicSeconds()
        let scratch = try ScratchBed(hosts: 0, shared: 200)
        let startSeconds = monotonicSeconds() - started
        defer { scratch.close() }
        #expect(scratch.bed.sharedHosts.count == 200)
        #expect(scratch.bed.sharedHosts.last == "bench-host-200")
        #expect(try scratch.ssh("bench-host-200", "echo ok").standardOutput == "ok\n")
        let stopping = monotonicSeconds()
        try scratch.bed.stop()
        print("200 shared names: start \(startSeconds) s, stop \(monotonicSeconds() - stopping) s")
    }
}
