import ArgumentParser
import Foundation
import TestBed

/// `testbed`: start, inspect, break and stop a bed of OpenSSH hosts on loopback.
struct TestBedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "testbed",
        abstract: "A bed of real OpenSSH hosts on loopback for tests, demos and benchmarks.",
        discussion: "Each host gets its own sshd on 127.0.1.<i> with its own host key and, as root, its own /srv "
            + "and hostname. Use the generated client configuration: ssh -F <dir>/ssh_config host1 ...",
        version: "0.1.0-swift",
        subcommands: [
            Start.self, Stop.self, Status.self, Environment.self, HostFaultCommand<Down>.self,
            HostFaultCommand<Up>.self,
            HostFaultCommand<Freeze>.self, HostFaultCommand<Thaw>.self, Slow.self,
        ])
}

/// The bed directory option shared by every subcommand.
///
/// The directory is, in order: `--dir`, `$CUMIN_TESTBED_DIR`, the directory of the last `testbed start` while that
/// bed runs (recorded in `~/.cache/cumin-testbed/last-dir`), then `/tmp/cumin-testbed`. So
/// `testbed start --dir /tmp/bed` followed by `testbed down host2` acts on `/tmp/bed`.
struct DirectoryOption: ParsableArguments {
    static let defaultDirectory = "/tmp/cumin-testbed"

    @Option(
        name: .long,
        help: """
            Directory of the bed (default: $CUMIN_TESTBED_DIR, else the last started bed while it runs, else \
            /tmp/cumin-testbed).
            """)
    var dir: String?

    /// The directory and where it came from (for error messages).
    var resolved: (path: String, source: String) {
        if let dir { return (absolute(dir), "--dir") }
        if let variable = ProcessInfo.processInfo.environment["CUMIN_TESTBED_DIR"], !variable.isEmpty {
            return (absolute(variable), "CUMIN_TESTBED_DIR")
        }
        if let last = Self.lastStarted(), TestBed.isRecorded(in: last) {
            return (last, "the last 'testbed start'")
        }
        return (Self.defaultDirectory, "the default directory")
    }

    var path: String { resolved.path }

    private func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    func attach() throws -> TestBed {
        let (path, source) = resolved
        do {
            return try TestBed.attach(directory: path)
        } catch TestBedError.notRunning {
            FileHandle.standardError.write(
                Data(
                    ("testbed: no running test bed in \(path) (from \(source)): pass --dir DIR or set "
                        + "CUMIN_TESTBED_DIR to the directory given to 'testbed start'\n").utf8))
            throw ExitCode.failure
        } catch {
            return try reportingErrors { throw error }
        }
    }

    /// The file naming the directory of the last `testbed start`.
    static var lastStartedRecord: String {
        let home = ProcessInfo.processInfo.environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.cache/cumin-testbed/last-dir"
    }

    static func lastStarted() -> String? {
        guard let data = FileManager.default.contents(atPath: lastStartedRecord) else { return nil }
        let text = String(decoding: data.prefix(4096), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.hasPrefix("/") ? text : nil
    }

    /// Records `directory` as the last started bed; failing to record is not an error (use --dir then).
    static func recordStarted(_ directory: String) {
        let record = lastStartedRecord
        try? FileManager.default.createDirectory(
            atPath: (record as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try? Data((directory + "\n").utf8).write(to: URL(fileURLWithPath: record), options: .atomic)
    }

    /// Forgets the record when it names `directory`.
    static func forgetStarted(_ directory: String) {
        if lastStarted() == directory { try? FileManager.default.removeItem(atPath: lastStartedRecord) }
    }
}

/// Runs `body`, printing a ``TestBedError`` as `testbed: <message>` and exiting with status 1.
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as TestBedError {
        FileHandle.standardError.write(Data("testbed: \(error.description)\n".utf8))
        throw ExitCode.failure
    }
}

extension TestBedCommand {
    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start a bed (stopping a previous one in the same directory).")

        @OptionGroup var directory: DirectoryOption
        @Option(help: "Hosts with their own sshd: host1..hostN (at most 254).") var hosts = 5
        @Option(help: "Extra names bench-host-001..N all served by one more sshd on 127.0.0.1.") var shared = 0
        @Option(help: "Port of the per-host sshds (the shared one uses port+1); default: first free from 2222.")
        var port: Int?
        @Flag(help: "Do not give hosts a private /srv and hostname (implied when not root).") var noPrivateSrv = false
        @Option(help: "Pin the client's KexAlgorithms, e.g. curve25519-sha256.") var kex: String?

        func run() throws {
            let isRoot = geteuid() == 0
            let configuration = TestBedConfiguration(
                directory: directory.path, hostCount: hosts, port: port, sharedHostCount: shared,
                privateSrv: isRoot && !noPrivateSrv, privateHostname: isRoot && !noPrivateSrv, kexAlgorithms: kex)
            let started = Date()
            let bed = try reportingErrors { try TestBed.start(configuration) }
            DirectoryOption.recordStarted(bed.directory)
            let seconds = Date().timeIntervalSince(started)
            print("test bed started in \(bed.directory) (\(String(format: "%.2f", seconds)) s)")
            print("ssh_config: \(bed.sshConfigPath)")
            if !bed.hosts.isEmpty {
                print("hosts: \(bed.hostsExpression) on 127.0.1.x port \(bed.port)")
            }
            if let sharedPort = bed.sharedPort {
                print("shared names: \(bed.sharedHostsExpression) on 127.0.0.1 port \(sharedPort)")
            }
            if let first = bed.hosts.first ?? bed.sharedHosts.first {
                print("try: ssh -F \(bed.sshConfigPath) \(first) hostname")
            }
            print("other testbed commands use this bed until it stops (or pass --dir, or set CUMIN_TESTBED_DIR)")
        }
    }

    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop every sshd of the bed by PID.")
        @OptionGroup var directory: DirectoryOption

        func run() throws {
            let (path, source) = directory.resolved
            guard let bed = try? TestBed.attach(directory: path) else {
                print("no test bed running in \(path) (from \(source); pass --dir DIR or set CUMIN_TESTBED_DIR)")
                return
            }
            try reportingErrors { try bed.stop() }
            DirectoryOption.forgetStarted(bed.directory)
            print("test bed in \(bed.directory) stopped")
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show every sshd of the bed.")
        @OptionGroup var directory: DirectoryOption

        func run() throws {
            let bed = try directory.attach()
            let statuses = try reportingErrors { try bed.status() }
            print("test bed \(bed.directory), ssh_config \(bed.sshConfigPath)")
            for status in statuses {
                let pid = status.pid.map { "pid \($0)" } ?? "-"
                let slow = status.slowDelay > 0 ? " slow \(status.slowDelay) s" : ""
                let names = status.names.count > 1 ? " serving \(bed.sharedHostsExpression)" : ""
                print(
                    "\(status.name)\t\(status.address):\(status.port)\t\(status.state.rawValue)\t\(pid)\(slow)\(names)")
            }
        }
    }

    struct Environment: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "env", abstract: "Print shell exports describing the bed (eval \"$(testbed env)\").")
        @OptionGroup var directory: DirectoryOption

        func run() throws {
            let bed = try directory.attach()
            for variable in bed.environment {
                print("export \(variable.name)='\(variable.value.replacingOccurrences(of: "'", with: "'\\''"))'")
            }
        }
    }

    struct Slow: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make every command on a host start SECONDS late (0 makes it normal again).")
        @OptionGroup var directory: DirectoryOption
        @Argument(help: "Host name, e.g. host2.") var host: String
        @Argument(help: "Delay in seconds.") var seconds: Double

        func run() throws {
            let bed = try directory.attach()
            try reportingErrors { try bed.setSlow(host, delay: seconds) }
            print(seconds > 0 ? "\(host) is slow: commands start \(seconds) s late" : "\(host) is no longer slow")
        }
    }
}

/// The faults `testbed down|up|freeze|thaw HOST` apply to one host.
enum HostFaultKind: String {
    case down, up, freeze, thaw

    var abstract: String {
        switch self {
        case .down: "Stop a host's sshd (and its sessions): connections are refused."
        case .up: "Start a host's sshd again."
        case .freeze: "Freeze a host's sshd with SIGSTOP: new connections hang."
        case .thaw: "Continue a frozen host's sshd with SIGCONT."
        }
    }

    var outcome: String {
        switch self {
        case .down: "is down"
        case .up: "is up"
        case .freeze: "is frozen"
        case .thaw: "is thawed"
        }
    }

    func apply(to bed: TestBed, host: String) throws {
        switch self {
        case .down: try bed.stopHost(host)
        case .up: try bed.startHost(host)
        case .freeze: try bed.freezeHost(host)
        case .thaw: try bed.thawHost(host)
        }
    }
}

/// Names one ``HostFaultKind`` at the type level, so each fault is its own subcommand type.
protocol HostFault {
    static var kind: HostFaultKind { get }
}

enum Down: HostFault { static var kind: HostFaultKind { .down } }
enum Up: HostFault { static var kind: HostFaultKind { .up } }
enum Freeze: HostFault { static var kind: HostFaultKind { .freeze } }
enum Thaw: HostFault { static var kind: HostFaultKind { .thaw } }

/// `testbed down|up|freeze|thaw HOST`.
struct HostFaultCommand<Fault: HostFault>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: Fault.kind.rawValue, abstract: Fault.kind.abstract)
    }

    @OptionGroup var directory: DirectoryOption
    @Argument(help: "Host name, e.g. host2.") var host: String

    func run() throws {
        let bed = try directory.attach()
        try reportingErrors { try Fault.kind.apply(to: bed, host: host) }
        print("\(host) \(Fault.kind.outcome)")
    }
}
