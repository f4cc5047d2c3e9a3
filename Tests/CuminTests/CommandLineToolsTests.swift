import TestBed
import Foundation
import TestSupport
import Testing

/// The `nodeset` and `testbed` executables end to end.
@Suite(.serialized) struct CommandLineToolsTests {
    @Test func nodesetFoldsExpandsAndCounts() throws {
        let nodeset = productPath("nodeset")
        #expect(try runProcess(nodeset, ["-f", "host1", "host2", "host[3-5]", "db01"]).stdout == "db01,host[1-5]\n")
        #expect(try runProcess(nodeset, ["-e", "n[1-3]"]).stdout == "n1 n2 n3\n")
        #expect(try runProcess(nodeset, ["-e", "-S", ",", "n[1-3]"]).stdout == "n1,n2,n3\n")
        #expect(try runProcess(nodeset, ["-c", "x[1-10]", "y1"]).stdout == "11\n")
        #expect(
            try runProcess(nodeset, ["-f", "rack[1-2]-node[1-2]", "-x", "rack1-node1"]).stdout
                == "rack2-node[1-2],rack1-node2\n")
    }

    @Test func nodesetReadsStandardInput() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let input = try directory.write("names", "a1 a2\na3\tb01\n")
        let output = try runProcess("/bin/sh", ["-c", "exec \"$0\" -f < \"$1\"", productPath("nodeset"), input])
        #expect(output.stdout == "a[1-3],b01\n")
    }

    @Test func nodesetReportsWhereAnErrorIs() throws {
        let output = try runProcess(productPath("nodeset"), ["-f", "h[2-1]"])
        #expect(output.status == 1)
        #expect(output.stderr.contains("nodeset: Parse error:"))
        #expect(output.stderr.contains("position 2"))
    }

    @Test(arguments: ["cumin", "nodeset", "cookbook", "scap", "testbed"])
    func everyToolHasVersionAndCompletions(tool: String) throws {
        let version = try runProcess(productPath(tool), ["--version"])
        #expect(version.status == 0, "\(version.stderr)")
        #expect(!version.stdout.isEmpty)
        for shell in ["bash", "zsh", "fish"] {
            let script = try runProcess(productPath(tool), ["--generate-completion-script", shell])
            #expect(script.status == 0, "\(tool) \(shell): \(script.stderr)")
            #expect(script.stdout.contains(tool))
        }
    }

    /// Each default is printed once, by argument-parser.
    @Test func helpTextsPrintEachDefaultOnce() throws {
        let cumin = try runProcess(productPath("cumin"), ["--help"]).stdout
        #expect(cumin.components(separatedBy: "/etc/cumin/config.yaml").count == 2)
        #expect(cumin.contains("(default: session when connections"))
        let nodeset = try runProcess(productPath("nodeset"), ["--help"]).stdout
        #expect(nodeset.components(separatedBy: "default").count == 2)
        let scap = try runProcess(productPath("scap"), ["deploy", "--help"]).stdout
        #expect(!scap.contains("(default 600)"))
        #expect(scap.contains("(default: 600.0)"))
    }

    @Test(.tags(.sshd)) func testbedStartsInjectsFaultsAndStops() throws {
        let directory = try TemporaryDirectory("testbed-cli")
        defer { directory.remove() }
        let testbed = productPath("testbed")
        let dir = directory.path + "/bed"
        let start = try runProcess(testbed, ["start", "--dir", dir, "--hosts", "2"])
        #expect(start.status == 0, "\(start.stderr)")
        defer { _ = try? runProcess(testbed, ["stop", "--dir", dir]) }
        let ssh = try runProcess("/usr/bin/ssh", ["-F", dir + "/ssh_config", "host2", "echo up"])
        #expect(ssh.stdout == "up\n")
        #expect(try runProcess(testbed, ["down", "--dir", dir, "host2"]).status == 0)
        let refused = try runProcess("/usr/bin/ssh", ["-F", dir + "/ssh_config", "host2", "true"])
        #expect(refused.status == 255)
        let status = try runProcess(testbed, ["status", "--dir", dir])
        #expect(status.stdout.contains("host2"))
        #expect(try runProcess(testbed, ["stop", "--dir", dir]).status == 0)
        let afterStop = try runProcess("/usr/bin/ssh", ["-F", dir + "/ssh_config", "host1", "true"])
        #expect(afterStop.status == 255)
    }

    /// The README's order: `testbed start --dir DIR`, then `testbed down host2` with no --dir acts on DIR.
    @Test(.tags(.sshd)) func testbedCommandsFollowTheLastStartedBed() throws {
        let directory = try TemporaryDirectory("testbed-last")
        defer { directory.remove() }
        let testbed = productPath("testbed")
        let dir = directory.path + "/bed"
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = directory.path
        environment["CUMIN_TESTBED_DIR"] = nil
        let start = try runProcess(testbed, ["start", "--dir", dir, "--hosts", "2"], environment: environment)
        #expect(start.status == 0, "\(start.stderr)")
        defer { _ = try? runProcess(testbed, ["stop", "--dir", dir]) }
        let down = try runProcess(testbed, ["down", "host2"], environment: environment)
        #expect(down.status == 0, "\(down.stderr)")
        #expect(try runProcess("/usr/bin/ssh", ["-F", dir + "/ssh_config", "host2", "true"]).status == 255)
        #expect(try runProcess(testbed, ["status"], environment: environment).stdout.contains("host2"))
        #expect(try runProcess(testbed, ["stop"], environment: environment).status == 0)
        // Stopped: nothing names a running bed any more, and the error says how to name one.
        var elsewhere = environment
        elsewhere["CUMIN_TESTBED_DIR"] = directory.path + "/nothing"
        let missing = try runProcess(testbed, ["status"], environment: elsewhere)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("(from CUMIN_TESTBED_DIR): pass --dir DIR or set CUMIN_TESTBED_DIR"))
    }
}
