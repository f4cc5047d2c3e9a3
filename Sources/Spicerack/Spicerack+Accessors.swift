import Cumin
import CuminNativeSSH
import Foundation
import Logging
import SpicerackRemote
import Wmflib

extension Spicerack {
    /// Remote execution on hosts selected by cumin queries (Spicerack's `spicerack.remote()`), with the cumin
    /// configuration in `instance_params.cumin_config`. In dry-run, commands not marked `isSafe` are not run.
    ///
    /// ```swift
    /// let hosts = try spicerack.remote().query("A:web")
    /// try await hosts.runSync("systemctl restart nginx", batchSize: .count(1))
    /// ```
    /// - Throws: ``SpicerackError`` naming the file when the cumin configuration cannot be loaded.
    public func remote() throws -> Remote {
        let path = configuration.cuminConfigPath
        let cumin: Cumin.Configuration
        do {
            cumin = try Cumin.Configuration.load(path: path)
        } catch {
            throw SpicerackError(
                "Unable to load the cumin configuration \(path) (instance_params.cumin_config in \(configuration.path)): \(error)")
        }
        let recorder = services.touchedHosts
        // `transport: native` in the cumin configuration selects the in-process SSH transport.
        NativeSSH.register()
        return Remote(
            configuration: cumin, dryRun: dryRun, logger: Logger(label: "spicerack.remote"),
            onExecute: { hosts in recorder.withLock { $0.formUnion(hosts.map(\.description)) } })
    }

    /// An HTTP client named `name` (in its User-Agent) that refuses write methods in dry-run, logging
    /// `Would have called POST <url>` instead.
    public func httpClient(_ name: String, timeout: Duration = .seconds(5)) -> HTTPClient {
        HTTPClient(name: name, dryRun: dryRun, logger: Logger(label: "spicerack.http"), timeout: timeout)
    }

    /// Prometheus instant queries, at `instance_params.prometheus_url` (`{site}` and `{instance}` are replaced)
    /// or Wikimedia's `http://prometheus.svc.{site}.wmnet/{instance}` by default.
    public func prometheus() -> Prometheus {
        let client = httpClient("prometheus", timeout: .seconds(10))
        if let template = configuration.prometheusURL {
            return Prometheus(client: client, urlTemplate: template)
        }
        return Prometheus(client: client)
    }

    /// An administrative reason for downtimes and logs: `reason - user@host - T12345` (Spicerack's `admin_reason`).
    public func adminReason(_ reason: String, taskID: String? = nil) throws -> Reason {
        try Reason(reason: reason, username: username, hostname: currentHostname, taskID: taskID)
    }
}

/// A problem in a Spicerack accessor: what went wrong and what to do.
public struct SpicerackError: Error, CustomStringConvertible, Sendable {
    /// The message.
    public var message: String

    /// Creates an error.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

extension Spicerack {
    /// wmflib's `retry`, aware of this run's dry-run mode (one try) and logging to the cookbook's logger, like
    /// Spicerack's own `@retry` decorator. Errors are retried when `retryIf` says so (by default: any error but
    /// cancellation).
    public func retry<T>(
        tries: Int = 3, delay: Duration = .seconds(3), backoff: BackoffMode = .exponential,
        retryIf: (any Error) -> Bool = { !($0 is CancellationError) }, failureMessage: String? = nil,
        function: String = #function, fileID: String = #fileID, _ operation: () async throws -> T
    ) async throws -> T {
        try await Wmflib.retry(
            tries: tries, delay: delay, backoff: backoff, retryIf: retryIf, failureMessage: failureMessage,
            dryRun: dryRun, logger: logger, function: function, fileID: fileID, operation: operation)
    }
}
