import Foundation
import TestBed
import TestSupport
import Testing

@testable import Scap

/// The error-rate gate with a real Prometheus scraping the bed hosts' services: a pass with steady traffic, a
/// canary answering 500 on half of its requests (fail, everything rolled back), a quiet service (inconclusive,
/// the operator decides), and Prometheus stopped (a check error, never a pass).
@Suite(.tags(.sshd, .prometheus), .serialized) struct ErrorRateGateBedTests {
    let bedTests = BackportBedTests()

    func prometheus(_ services: ServiceBed) throws -> PrometheusServer {
        try PrometheusServer(targets: services.services.values.map { "127.0.0.1:\($0.port)" }, scrapeInterval: 1)
    }

    @Test func aHealthyChangePassesAndAFailingCanaryRollsEverythingBack() async throws {
        try await withServiceBed { services in
            let prometheus = try prometheus(services)
            defer { prometheus.stop() }
            let (fixture, runner) = try await bedTests.prepare(
                services, extraConfig: "prometheus_url: \(prometheus.endpoint)\n")
            let traffic = try TrafficGenerator(
                ports: ["host2", "host3", "host4", "host5"].compactMap { services.services[$0]?.port })
            defer { traffic.stop() }
            try await Task.sleep(for: .seconds(3))
            try fixture.change(1001, files: ["version.txt": "v2\n"], subject: "Healthy")
            let overrides = ["canary_wait_time:6"]
            let healthy = ScriptedBackportPrompter([("Continue with deployment?", "y")])
            let (first, firstLines) = try await bedTests.backport(
                fixture, runner, ["1001"], prompter: healthy, overrides: overrides)
            let passed = try first.get()
            #expect(passed.outcome == "succeeded", "\(firstLines.all) \(healthy.asked)")
            #expect(passed.sync?.gates.map(\.outcome) == [.pass, .pass], "\(firstLines.all)")
            #expect((passed.sync?.gates.first?.requests ?? 0) >= 20)
            for host in services.bed.hosts { #expect(try services.version(host) == "v2", "\(host)") }

            try fixture.change(1002, files: ["version.txt": "v3\n", "errors.txt": "50\n"], subject: "Half broken")
            let failing = ScriptedBackportPrompter([("Continue with deployment?", "y")])
            let (second, lines) = try await bedTests.backport(
                fixture, runner, ["1002"], prompter: failing, overrides: overrides)
            let failed = try second.get()
            #expect(failed.outcome == "rolled_back", "\(lines.all)")
            let gate = try #require(failed.sync?.gates.first)
            #expect(gate.outcome == .fail)
            #expect(gate.errors > 0 && gate.baselineErrors == 0, "\(gate)")
            #expect(gate.message.contains("fail, above 2× the baseline and the 1.0% floor"), "\(gate.message)")
            #expect(failing.asked.contains { $0.hasPrefix("canary: error-rate gate failed: canary error rate ") })
            for host in services.bed.hosts { #expect(try services.version(host) == "v2", "\(host)") }
        }
    }

    @Test func aQuietServiceIsInconclusiveAndTheOperatorDecides() async throws {
        try await withServiceBed { services in
            let prometheus = try prometheus(services)
            defer { prometheus.stop() }
            let (fixture, runner) = try await bedTests.prepare(
                services, extraConfig: "prometheus_url: \(prometheus.endpoint)\n")
            try fixture.change(1101, files: ["version.txt": "v2\n"], subject: "Nobody notices")
            let prompter = ScriptedBackportPrompter([
                ("Continue with deployment?", "y"), ("canary: error-rate gate failed", "i"),
                ("production: error-rate gate failed", "i"),
            ])
            let (result, lines) = try await bedTests.backport(
                fixture, runner, ["1101"], prompter: prompter, overrides: ["canary_wait_time:3"])
            let outcome = try result.get()
            #expect(outcome.outcome == "succeeded", "\(lines.all)")
            #expect(outcome.sync?.gates.map(\.outcome) == [.inconclusive, .inconclusive])
            #expect(
                prompter.asked.contains {
                    $0.hasPrefix(
                        "canary: error-rate gate failed: canary error rate 0.0% (0 errors of 0 requests over 3s)")
                        && $0.contains("inconclusive, fewer than 20 requests")
                }, "\(prompter.asked)")
            #expect(outcome.sync?.ignored.count == 2)
            for host in services.bed.hosts { #expect(try services.version(host) == "v2", "\(host)") }
        }
    }

    @Test func prometheusStoppedIsACheckErrorAndRollsBack() async throws {
        try await withServiceBed { services in
            let prometheus = try prometheus(services)
            let endpoint = prometheus.endpoint
            prometheus.stop()
            let (fixture, runner) = try await bedTests.prepare(
                services, extraConfig: "prometheus_url: \(endpoint)\n")
            try fixture.change(1201, files: ["version.txt": "v2\n"], subject: "Unobserved")
            let prompter = ScriptedBackportPrompter([("Continue with deployment?", "y")])
            let (result, lines) = try await bedTests.backport(fixture, runner, ["1201"], prompter: prompter)
            let outcome = try result.get()
            #expect(outcome.outcome == "rolled_back", "\(lines.all)")
            let gate = try #require(outcome.sync?.gates.first)
            #expect(gate.outcome == .checkError)
            #expect(gate.message.contains("canary error-rate check error: Prometheus at \(endpoint) is unreachable"))
            #expect(gate.message.contains("which is not a pass"))
            for host in services.bed.hosts { #expect(try services.version(host) == "v1", "\(host)") }
        }
    }
}
