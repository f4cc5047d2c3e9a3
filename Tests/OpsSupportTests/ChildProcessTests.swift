import Foundation
import OpsSupport
import Testing

/// The runner against real `/bin/sh` children.
@Suite struct ChildProcessTests {
    @Test func capturesBothStreamsAndTheExitCode() async throws {
        let result = try await ChildProcess("/bin/sh", ["-c", "printf 'out\\n'; printf 'err\\n' >&2; exit 3"]).run()
        #expect(result.termination == .exited(3))
        #expect(result.standardOutputText == "out\n")
        #expect(result.standardErrorText == "err\n")
        #expect(!result.succeeded && !result.timedOut && !result.truncated)
    }

    @Test func argumentsAreNeverShellWords() async throws {
        let hostile = "$(touch /tmp/never); `id`; * \"quoted\""
        let result = try await ChildProcess("/bin/sh", ["-c", "printf '%s' \"$1\"", "sh", hostile]).run()
        #expect(result.standardOutputText == hostile)
    }

    @Test func mergedStreamsKeepTheOrderOfWrites() async throws {
        var child = ChildProcess("/bin/sh", ["-c", "echo a; echo b >&2; echo c"])
        child.mergeStandardError = true
        let result = try await child.run()
        #expect(result.standardOutputText == "a\nb\nc\n")
        #expect(result.standardError.isEmpty)
    }

    @Test func standardInputIsWrittenThenClosed() async throws {
        var child = ChildProcess("/bin/cat")
        child.standardInput = Array("line one\nline two\n".utf8)
        let result = try await child.run()
        #expect(result.standardOutputText == "line one\nline two\n")
        #expect(result.succeeded)
    }

    @Test func withoutInputTheChildReadsEndOfFile() async throws {
        var child = ChildProcess("/bin/cat")
        child.timeout = .seconds(20)
        let result = try await child.run()
        #expect(result.succeeded && result.standardOutput.isEmpty)
    }

    @Test func outputIsBoundedAndTheChildStillFinishes() async throws {
        var child = ChildProcess("/bin/sh", ["-c", "head -c 1000000 /dev/zero; echo done >&2"])
        child.outputLimit = 4096
        let result = try await child.run()
        #expect(result.standardOutput.count == 4096)
        #expect(result.truncated)
        #expect(result.standardErrorText == "done\n")
        #expect(result.succeeded)
    }

    @Test func aTimeoutInterruptsTheChild() async throws {
        var child = ChildProcess("/bin/sh", ["-c", "trap 'echo interrupted; exit 7' INT; sleep 300 & wait"])
        child.timeout = .milliseconds(300)
        let result = try await child.run()
        #expect(result.timedOut)
        #expect(!result.succeeded)
        #expect(result.standardOutputText == "interrupted\n")
        // Far below the child's 300 s: the timeout stopped it. Not tighter: the first test phase runs many suites
        // at once on 2 cores, and there a 300 ms timer was seen to fire 10 s late.
        #expect(result.duration < .seconds(60))
    }

    @Test func aChildIgnoringSIGINTIsKilledAfterTheGrace() async throws {
        var child = ChildProcess("/bin/sh", ["-c", "trap '' INT; sleep 300"])
        child.timeout = .milliseconds(200)
        child.interruptGrace = .milliseconds(300)
        let result = try await child.run()
        #expect(result.timedOut)
        #expect(result.termination == .signaled(SIGKILL))
        // Far below the child's 300 s: the timeout stopped it. Not tighter: the first test phase runs many suites
        // at once on 2 cores, and there a 300 ms timer was seen to fire 10 s late.
        #expect(result.duration < .seconds(60))
    }

    @Test func cancellationStopsTheWholeProcessGroup() async throws {
        let pidFile = FileManager.default.temporaryDirectory.appendingPathComponent("ops-\(UUID().uuidString).pid").path
        defer { try? FileManager.default.removeItem(atPath: pidFile) }
        // The background sleep ignores SIGINT (a non-interactive shell's background job) and keeps the pipes open.
        let child = ChildProcess("/bin/sh", ["-c", "sleep 300 & echo $! > '\(pidFile)'; wait"])
        let task = Task { try await child.run() }
        var grandchild: pid_t?
        for _ in 0..<200 where grandchild == nil {
            try await Task.sleep(for: .milliseconds(25))
            grandchild = (try? String(contentsOfFile: pidFile, encoding: .utf8))
                .flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        let pid = try #require(grandchild)
        #expect(kill(pid, 0) == 0)
        let started = ContinuousClock.now
        task.cancel()
        await #expect(throws: ChildProcessError.self) { try await task.value }
        #expect(ContinuousClock.now - started < .seconds(60))
        var gone = false
        for _ in 0..<200 where !gone {
            gone = kill(pid, 0) != 0
            if !gone { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(gone, "the grandchild \(pid) survived the cancellation")
    }

    @Test func aMissingExecutableIsAnError() async {
        await #expect(throws: ChildProcessError.self) {
            try await ChildProcess("/nonexistent/tool", ["x"]).run()
        }
    }

    @Test func environmentAndWorkingDirectory() async throws {
        var child = ChildProcess("/bin/sh", ["-c", "printf '%s %s' \"$OPS_VALUE\" \"$(pwd)\""])
        child.environment = ["OPS_VALUE": "set", "PATH": "/usr/bin:/bin"]
        child.workingDirectory = "/tmp"
        let result = try await child.run()
        #expect(result.standardOutputText == "set /tmp")
    }
}
