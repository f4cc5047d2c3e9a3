import Foundation
import Logging
import OpsSupport

/// Runs an operation, retrying it with a growing delay while it fails with a retryable error (wmflib's `@retry`).
///
/// Each retryable failure but the last is logged at warning level as
/// `[1/3, retrying in 3.00s] <failure message>: <error>` (the error followed by `Caused by: ...` lines, see
/// ``errorChainMessage(_:)``); the last failure, and any error `retryIf` rejects, is rethrown as is.
/// The operation must be idempotent.
///
/// ```swift
/// let output = try await retry(tries: 5, delay: .seconds(30), backoff: .constant,
///                              failureMessage: "File not found", logger: logger) {
///     try readStatusFile()
/// }
/// ```
/// - Parameters:
///   - tries: how many times to run the operation at most; must be at least 1.
///   - delay: the base delay of the backoff.
///   - backoff: how the delay grows between attempts (``BackoffMode``); with `.exponential` the delay must be at
///     least one second.
///   - retryIf: which errors are retryable; by default only ``WmflibError``.
///   - failureMessage: what to log on each failure; by default `Attempt to run '<Module>.<function>' raised`.
///   - dryRun: when `true`, run at most once, logging `Reduce tries from N to 1 in DRY-RUN mode` (as Spicerack).
///   - logger: where the retry warnings go.
///   - sleep: how to wait between attempts; tests inject a recorder instead of really sleeping.
///   - dynamicParameters: callbacks that adjust the parameters before the first attempt, in order.
///   - function: the calling function, for the default failure message.
///   - fileID: the calling file, for the module name in the default failure message.
///   - operation: the work to run.
/// - Returns: what the first successful attempt returns.
/// - Throws: ``WmflibError`` on invalid parameters, otherwise the error of the last attempt or the first
///   non-retryable one.
public func retry<T>(
    tries: Int = 3,
    delay: Duration = .seconds(3),
    backoff: BackoffMode = .exponential,
    retryIf: (any Error) -> Bool = { $0 is WmflibError },
    failureMessage: String? = nil,
    dryRun: Bool = false,
    logger: Logger,
    sleep: (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
    dynamicParameters: [(inout RetryParameters) -> Void] = [],
    function: String = #function,
    fileID: String = #fileID,
    operation: () async throws -> T
) async throws -> T {
    var parameters = RetryParameters(
        tries: tries, delay: delay, backoff: backoff,
        failureMessage: failureMessage ?? "Attempt to run '\(qualifiedName(function: function, fileID: fileID))' raised")
    for adjust in dynamicParameters {
        adjust(&parameters)
    }
    if dryRun && parameters.tries > 1 {
        logger.warning("Reduce tries from \(parameters.tries) to 1 in DRY-RUN mode")
        parameters.tries = 1
    }
    try parameters.validate()

    var attempt = 0
    while attempt < parameters.tries - 1 {
        attempt += 1
        do {
            return try await operation()
        } catch {
            guard retryIf(error) else { throw error }
            let wait = parameters.backoff.delay(base: parameters.delay, attempt: attempt)
            let seconds = String(format: "%.2f", wait.inSeconds)
            logger.warning(
                "[\(attempt)/\(parameters.tries), retrying in \(seconds)s] \(parameters.failureMessage): \(errorChainMessage(error))"
            )
            try await sleep(wait)
        }
    }
    return try await operation()
}

/// `Module.function` from `#fileID` (`Module/File.swift`) and `#function`, as Python's `module.qualname`.
func qualifiedName(function: String, fileID: String) -> String {
    let module = fileID.split(separator: "/", maxSplits: 1).first.map(String.init) ?? fileID
    return "\(module).\(function)"
}
