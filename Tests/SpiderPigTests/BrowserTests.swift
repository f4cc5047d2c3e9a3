import Foundation
import Testing

/// SpiderPig in a real headless Chromium (Debian's chromium + chromedriver, driven by selenium): the script
/// Browser/spiderpig_e2e.py logs in through the IdP mock and the TOTP code, queues, clicks "Ready" and scap's
/// prompt, finishes, and checks a hostile log line, an admin freeze pushed live, a narrow window and a ban.
@Suite(
    .serialized,
    .enabled(
        if: SpiderPigBed.toolsInstalled && FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver"),
        "needs scripts/setup.sh (chromium, chromium-driver, the tools venv)"))
struct BrowserTests {
    @Test func aDeployerLogsInQueuesAnswersByClickingAndFinishes() async throws {
        try await SpiderPigBed.with(prometheus: true) { bed in
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path + "/Browser/spiderpig_e2e.py"
            let shots = ProcessInfo.processInfo.environment["SPIDERPIG_SCREENSHOTS"] ?? bed.directory
            var environment = ProcessInfo.processInfo.environment
            environment["SP_BASE"] = bed.base
            environment["SP_CONFIG"] = bed.configPath
            environment["SP_BIN"] = productPathOfSpiderPig
            environment["SCREENSHOT_DIR"] = shots
            let result = try await bed.run(
                SpiderPigBed.venvBin + "/python3", [script], timeout: 300, environment: environment)
            #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)\nserver: \(bed.server?.stderr.suffix(2000) ?? "")")
            #expect(result.stdout.contains("e2e ok"))
        }
    }
}
