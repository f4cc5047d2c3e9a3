import Foundation
import Logging
import SpicerackLocks
import Synchronization
import Wmflib

/// Builds the lock manager of a `cookbook` process from the configuration and flags.
///
/// - `--no-locks`: locking off.
/// - `instance_params.etcd_config` set: etcd v3. The file is YAML with `endpoints: [http://host:2379, ...]`, or
///   python-etcd's `host`, `port` and `protocol` keys.
/// - otherwise: the local backend in `instance_params.locks_dir` (one operator host, no server).
///
/// Waiting for a busy lock follows `instance_params.lock_tries` (27) and `lock_retry_delay` (5 s, linear), as
/// Spicerack.
public enum LockConfiguration {
    /// The lock manager, or an error naming the configuration key.
    public static func makeLocks(
        configuration: SpicerackConfiguration, dryRun: Bool, noLocks: Bool, logger: Logger, username: String
    ) throws(ConfigurationError) -> Locks {
        let identity = LockIdentity(user: username, host: LockIdentity.currentHostName(), pid: getpid())
        let retry = try retryPolicy(configuration)
        guard !noLocks else {
            return Locks(backend: nil, dryRun: dryRun, identity: identity, logger: logger, retry: retry)
        }
        return Locks(backend: try backend(configuration), dryRun: dryRun, identity: identity, logger: logger, retry: retry)
    }

    /// The configured backend.
    public static func backend(_ configuration: SpicerackConfiguration) throws(ConfigurationError) -> any LockBackend {
        guard let etcdPath = configuration.etcdConfigPath else {
            return LocalLockBackend(directory: configuration.locksDirectory)
        }
        let values: [String: YAMLValue]
        do {
            values = try loadYAMLConfig(etcdPath)
        } catch {
            throw ConfigurationError(
                path: configuration.path, key: "instance_params.etcd_config", message: error.message,
                hint: "point it to a YAML file with `endpoints: [http://127.0.0.1:2379]`")
        }
        var endpoints: [String] = []
        if let list = values["endpoints"]?.arrayValue {
            endpoints = list.compactMap(\.stringValue)
        } else if let host = values["host"]?.stringValue {
            let scheme = values["protocol"]?.stringValue ?? "http"
            let port = values["port"]?.intValue ?? 2379
            endpoints = ["\(scheme)://\(host):\(port)"]
        }
        guard !endpoints.isEmpty else {
            throw ConfigurationError(
                path: etcdPath, key: "endpoints", message: "no etcd endpoint configured",
                hint: "set `endpoints: [http://HOST:2379]` or `host:` and `port:`")
        }
        return EtcdLockBackend(endpoints: endpoints)
    }

    private static func retryPolicy(_ configuration: SpicerackConfiguration) throws(ConfigurationError) -> LockRetryPolicy {
        let parameters = configuration.raw["instance_params"]?.dictionaryValue ?? [:]
        var policy = LockRetryPolicy.spicerack
        if let tries = parameters["lock_tries"], !tries.isNull {
            guard let value = tries.intValue, value >= 1 else {
                throw ConfigurationError(path: configuration.path, key: "instance_params.lock_tries", message: "must be a positive integer")
            }
            policy.tries = value
        }
        if let delay = parameters["lock_retry_delay"], !delay.isNull {
            guard let value = delay.doubleValue, value >= 0 else {
                throw ConfigurationError(
                    path: configuration.path, key: "instance_params.lock_retry_delay", message: "must be a number of seconds")
            }
            policy.delay = .milliseconds(Int(value * 1000))
        }
        return policy
    }
}
