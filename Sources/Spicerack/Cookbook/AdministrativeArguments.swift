import ArgumentParser
import Foundation

/// Checks Phabricator task IDs and administrative reasons the way Spicerack does.
public enum AdministrativeArgument {
    /// Validates a task ID: `T` and 1 to 6 digits; the empty string (no task) is allowed when `allowEmpty`.
    public static func validateTaskID(_ value: String, allowEmpty: Bool) throws(ValidationError) {
        if value.isEmpty && allowEmpty { return }
        let digits = value.dropFirst()
        guard value.first == "T", (1...6).contains(digits.count), digits.allSatisfy(\.isASCIIDigit) else {
            throw ValidationError(
                "Invalid task ID '\(value)' for -t/--task-id: expected T and 1 to 6 digits, e.g. T12345"
                    + (allowEmpty ? ", or an empty string for no task." : "."))
        }
    }

    /// Validates an administrative reason: not empty and without double quotes (it is quoted in commands).
    public static func validateReason(_ value: String) throws(ValidationError) {
        if value.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("The administrative reason given with -r/--reason cannot be empty.")
        }
        if value.contains("\"") {
            throw ValidationError(
                "The administrative reason cannot contain double quotes, got '\(value)' for -r/--reason.")
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}

/// A required `-t/--task-id` (Spicerack's `argument_task_required = True`). Add it with `@OptionGroup`.
public struct RequiredTaskID: ParsableArguments {
    /// The Phabricator task, e.g. `T12345`.
    @Option(name: [.customShort("t"), .customLong("task-id")], help: "The Phabricator task ID (e.g. T12345).")
    public var taskID: String

    public init() {}

    public func validate() throws {
        try AdministrativeArgument.validateTaskID(taskID, allowEmpty: false)
    }
}

/// An optional `-t/--task-id`, empty by default (Spicerack's `argument_task_required = False`).
public struct OptionalTaskID: ParsableArguments {
    /// The Phabricator task, or empty for none.
    @Option(
        name: [.customShort("t"), .customLong("task-id")],
        help: "The Phabricator task ID (e.g. T12345) or empty string to not make any updates.")
    public var taskID: String = ""

    public init() {}

    public func validate() throws {
        try AdministrativeArgument.validateTaskID(taskID, allowEmpty: true)
    }
}

/// A required `-r/--reason` (Spicerack's `argument_reason_required = True`). Add it with `@OptionGroup`.
public struct RequiredReason: ParsableArguments {
    /// Why the operator runs the cookbook.
    @Option(
        name: [.customShort("r"), .customLong("reason")],
        help: "Administrative Reason. The current username and originating host are automatically added.")
    public var reason: String

    public init() {}

    public func validate() throws {
        try AdministrativeArgument.validateReason(reason)
    }
}

/// An optional `-r/--reason` (Spicerack's `argument_reason_required = False`).
public struct OptionalReason: ParsableArguments {
    /// Why the operator runs the cookbook, if given.
    @Option(
        name: [.customShort("r"), .customLong("reason")],
        help: "Administrative Reason. The current username and originating host are automatically added.")
    public var reason: String?

    public init() {}

    public func validate() throws {
        if let reason { try AdministrativeArgument.validateReason(reason) }
    }
}
