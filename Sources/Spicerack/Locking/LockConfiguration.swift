import Foundation
import Logging
import SpicerackLocks
import Synchronization
import Wmflib

/// Builds the lock manager of a `cookbook` process from the configuration and flags.
///
/// - `--no-locks`: locking off.
/// - `instance_params.etcd_config` set: etcd v3. The file is YAML with `endpoints: [http://host:2379, ...]`, or
///   python-etcd's `host`, `port` and `protocol` keys; the keys of the user's `~/.etcdrc`, when it exists, win
///   over it (as Spicerack merges `~$USER/.etcdrc`). With `protocol: https` (or `https://` endpoints),
///   python-etcd's `ca_cert` (the CA of etcd's certificate, PEM) and `cert` (a client certificate with its key in
///   one PEM file, or a list `[certificate file, key file]`) speak TLS with a client certificate.
/// - otherwise: the local backend in `instance_params.locks_dir` (one operator host, no server).
///
/// Waiting for a busy lock follows `instance_params.lock_tries` (27) and `lock_retry_delay` (5 s, linear), as
/// Spicerack.
public enum LockConfiguration {
    /// The lock manager, or an error naming the configuration key.
    public static func makeLocks(
        configuration: SpicerackConfiguration, dryRun: Bool, noLocks: Bool, logger: Logger, username: String
    ) throws(ConfigurationError) -> Locks {
        let identity = LockIdentity(
            user: username, host: LockIdentity.currentHostName(), pid: getpid(),
            startTime: LockIdentity.startTime(of: getpid()))
        let retry = try retryPolicy(configuration)
        guard !noLocks else {
            return Locks(backend: nil, dryRun: dryRun, identity: identity, logger: logger, retry: retry)
        }
        let backend = try backend(configuration, userEtcdrc: userEtcdrcPath(user: username))
        return Locks(backend: backend, dryRun: dryRun, identity: identity, logger: logger, retry: retry)
    }

    /// `~<user>/.etcdrc` (by default the person running the process, even under sudo), or `nil` when the user has
    /// no home directory.
    public static func userEtcdrcPath(user: String = getUsername()) -> String? {
        FileManager.default.homeDirectory(forUser: user)?.appendingPathComponent(".etcdrc").path
    }

    /// The configured backend.
    /// - Parameter userEtcdrc: the user's `.etcdrc`, merged over `etcd_config` when it exists.
    public static func backend(_ configuration: SpicerackConfiguration, userEtcdrc: String? = nil)
        throws(ConfigurationError) -> any LockBackend
    {
        guard let etcdPath = configuration.etcdConfigPath else {
            return LocalLockBackend(directory: configuration.locksDirectory)
        }
        var values: [String: YAMLValue]
        do {
            values = try loadYAMLConfig(etcdPath)
        } catch {
            throw ConfigurationError(
                path: configuration.path, key: "instance_params.etcd_config", message: error.message,
                hint: "point it to a YAML file with `endpoints: [http://127.0.0.1:2379]`")
        }
        if let userEtcdrc, FileManager.default.fileExists(atPath: userEtcdrc) {
            do {
                values.merge(try loadYAMLConfig(userEtcdrc)) { _, user in user }
            } catch {
                throw ConfigurationError(
                    path: userEtcdrc, key: nil, message: error.message,
                    hint: "fix the file (YAML like `host: etcd.example.org`) or move it away")
            }
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
        do throws(EtcdTLSError) {
            let tls = try EtcdTLSOptions.fromEtcdrc(values, file: etcdPath)
            return try EtcdLockBackend(endpoints: endpoints, tls: tls)
        } catch {
            throw ConfigurationError(
                path: error.path, key: nil, message: error.reason,
                hint: "fix ca_cert and cert in \(etcdPath) (or the user's .etcdrc)")
        }
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
