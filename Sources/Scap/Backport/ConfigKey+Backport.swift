extension ConfigKey {
    /// The keys of `scap backport`, with their defaults.
    public static let backport: [ConfigKey] = [
        ConfigKey("change_source", .string, default: .string("git")),
        ConfigKey("backport_remote", .string, default: .string("origin")),
        ConfigKey("backport_branch", .string),
        ConfigKey("gerrit_url", .string),
        ConfigKey("gerrit_project", .string),
        ConfigKey("gerrit_user", .string),
        ConfigKey("gerrit_password_file", .string),
        ConfigKey("gerrit_poll_interval", .seconds, default: .double(5)),
        ConfigKey("gerrit_merge_timeout", .seconds, default: .double(1800)),
        ConfigKey("smoke_tests", .string, default: .string("scap/smoke-tests.yaml")),
        ConfigKey("smoke_test_hosts", .string),
        ConfigKey("smoke_test_timeout", .seconds, default: .double(10)),
        ConfigKey("smoke_test_concurrency", .positiveInt, default: .int(8)),
        ConfigKey("canary_wait_time", .seconds, default: .double(20)),
        ConfigKey("prometheus_url", .string),
        ConfigKey("error_rate_errors_query", .string, default: .string(ErrorRateGate.defaultErrorsQuery)),
        ConfigKey("error_rate_requests_query", .string, default: .string(ErrorRateGate.defaultRequestsQuery)),
        ConfigKey("error_rate_factor", .number, default: .double(2)),
        ConfigKey("error_rate_floor", .number, default: .double(0.01)),
        ConfigKey("error_rate_min_requests", .nonNegativeInt, default: .int(20)),
        ConfigKey("canary_threshold", .nonNegativeInt),
        ConfigKey("production_error_threshold", .nonNegativeInt),
        ConfigKey("backport_history", .string, default: .string("scap/log/backport-history.jsonl")),
    ]
}

extension ScapConfig {
    func backportString(_ key: String) -> String? {
        guard case .string(let value)? = self[key], !value.isEmpty else { return nil }
        return value
    }

    func backportNumber(_ key: String) -> Double? {
        switch self[key] {
        case .double(let value)?: value
        case .int(let value)?: Double(value)
        default: nil
        }
    }

    func backportInt(_ key: String) -> Int? {
        guard case .int(let value)? = self[key] else { return nil }
        return value
    }

    /// `canary_wait_time`.
    public var canaryWaitTime: Duration { .milliseconds(Int64((backportNumber("canary_wait_time") ?? 20) * 1000)) }

    /// The error-rate gate of `canary` or `production` (`nil` without `prometheus_url`).
    public func errorRateGate(production: Bool) -> ErrorRateGate? {
        guard let url = backportString("prometheus_url") else { return nil }
        return ErrorRateGate(
            prometheusURL: url,
            errorsQuery: backportString("error_rate_errors_query") ?? ErrorRateGate.defaultErrorsQuery,
            requestsQuery: backportString("error_rate_requests_query") ?? ErrorRateGate.defaultRequestsQuery,
            factor: backportNumber("error_rate_factor") ?? 2, floor: backportNumber("error_rate_floor") ?? 0.01,
            minRequests: Double(backportInt("error_rate_min_requests") ?? 20),
            absoluteThreshold: backportInt(production ? "production_error_threshold" : "canary_threshold"))
    }
}
