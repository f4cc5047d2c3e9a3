import Cumin

/// Makes the in-process SSH transport selectable as `transport: native` (cumin's config) and `--transport native`.
///
/// Programs that offer it (`cumin`, `scap`, cookbooks through Spicerack) call ``register()`` once at start-up;
/// Cumin itself stays free of NIO.
public enum NativeSSH {
    /// The transport name.
    public static let transportName = "native"

    /// Registers the transport under ``transportName`` with Cumin's ``TransportSelection``. Idempotent.
    public static func register() {
        TransportSelection.register(transportName) { request throws(ExecutionError) in
            try NativeSSHTransport(
                configuration: request.configuration, connectionReuse: request.connectionReuse,
                mergeStandardError: request.mergeStandardError, logger: request.logger)
        }
    }
}
