import Logging
import Synchronization

/// What a transport is made for: the configuration and how the caller wants connections reused.
public struct TransportRequest: Sendable {
    /// Cumin's configuration (`transport`, `clustershell` options, `environment`).
    public var configuration: Configuration
    /// How successive commands to one host share a connection (OpenSSH transport).
    public var connectionReuse: ConnectionReuse
    /// Where the transport logs what the operator may want to know later (e.g. hosts handed to another transport).
    public var logger: Logger
    /// Whether each command's stderr is sent into its stdout on the host (`2>&1`), so that output is grouped in
    /// the order the command wrote it. Transports that cannot merge keep the streams apart.
    public var mergeStandardError: Bool

    /// Creates a request.
    public init(
        configuration: Configuration, connectionReuse: ConnectionReuse,
        logger: Logger = Logger(label: "cumin.transport", factory: { _ in SwiftLogNoOpLogHandler() }),
        mergeStandardError: Bool = false
    ) {
        self.mergeStandardError = mergeStandardError
        self.configuration = configuration
        self.connectionReuse = connectionReuse
        self.logger = logger
    }
}

/// Maps `transport` names of cumin's configuration (and `--transport`) to transports.
///
/// `clustershell`/`openssh`/`ssh` (OpenSSH client processes) and `noop` are built in. Modules that link more
/// transports register them by name at start-up, e.g. the in-process SSH transport registers `native`
/// (`NativeSSH.register()` in CuminNativeSSH), so that Cumin itself does not depend on their libraries.
public enum TransportSelection {
    /// Makes a transport for a request.
    public typealias Factory = @Sendable (TransportRequest) throws(ExecutionError) -> any Transport

    private static let factories = Mutex<[String: Factory]>([:])

    /// Registers (or replaces) the transport called `name`.
    public static func register(_ name: String, factory: @escaping Factory) {
        factories.withLock { $0[name] = factory }
    }

    /// The names that can be selected in this program.
    public static var names: [String] {
        ["clustershell", "noop"] + factories.withLock { $0.keys.sorted() }
    }

    /// Makes the transport the configuration names.
    /// - Throws: ``ExecutionError`` for an unknown name (saying which exist) or when the transport cannot be set up.
    public static func make(_ request: TransportRequest) throws(ExecutionError) -> any Transport {
        let name = request.configuration.transport
        switch name {
        case "clustershell", "openssh", "ssh":
            return try OpenSSHTransport(
                configuration: request.configuration, connectionReuse: request.connectionReuse,
                mergeStandardError: request.mergeStandardError)
        case "noop":
            return NoOpTransport(fanout: request.configuration.clustershell.fanout)
        default:
            guard let factory = factories.withLock({ $0[name] }) else {
                if name == "native" {
                    throw ExecutionError(
                        "transport 'native' (in-process SSH) is not available in this program; "
                            + "use clustershell (OpenSSH)")
                }
                throw ExecutionError(
                    "Unknown transport '\(name)'; expected one of: \(names.joined(separator: ", "))")
            }
            return try factory(request)
        }
    }
}
