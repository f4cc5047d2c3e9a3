import Foundation
import Logging

/// Conftool's data on etcd (Spicerack's `Confctl`): hands out one ``ConftoolEntity`` per object type.
///
/// ```swift
/// let conftool = try Conftool(configurationPath: "/etc/conftool/config.yaml",
///                             schemaPath: "/etc/conftool/schema.yaml", dryRun: false)
/// let nodes = try conftool.entity("node")
/// ```
/// Objects are read and written where conftool's `confctl` reads and writes them: etcd's v2 keys API, under
/// `<namespace>/<api_version>/<entity path>/<tag values...>/<name>`, as JSON.
public struct Conftool: Sendable {
    /// The client configuration.
    public let configuration: ConftoolConfiguration
    /// The entities.
    public let schema: ConftoolSchema
    /// Whether writes are only logged.
    public let dryRun: Bool
    let store: EtcdKeys
    let logger: Logger

    /// Creates a client from an already loaded configuration and schema.
    public init(
        configuration: ConftoolConfiguration, schema: ConftoolSchema? = nil, dryRun: Bool,
        logger: Logger = Logger(label: "spicerack.confctl"), timeout: Duration = .seconds(5)
    ) {
        self.configuration = configuration
        self.schema = schema ?? ConftoolSchema(poolsPath: configuration.poolsPath)
        self.dryRun = dryRun
        self.logger = logger
        self.store = EtcdKeys(client: configuration.client(timeout: timeout))
    }

    /// Loads conftool's configuration file (and its etcdrc) and schema file.
    /// - Throws: ``ConftoolError`` naming the file at fault.
    public init(
        configurationPath: String, schemaPath: String, dryRun: Bool,
        logger: Logger = Logger(label: "spicerack.confctl")
    ) throws(ConftoolError) {
        let configuration = try ConftoolConfiguration.load(configurationPath)
        let schema = try ConftoolSchema.load(schemaPath, poolsPath: configuration.poolsPath)
        self.init(configuration: configuration, schema: schema, dryRun: dryRun, logger: logger)
    }

    /// The operations on the objects of one entity.
    /// - Throws: ``ConftoolError`` when the schema does not define it.
    public func entity(_ name: String) throws(ConftoolError) -> ConftoolEntity {
        ConftoolEntity(
            entity: try schema.entity(name), root: configuration.root, store: store, dryRun: dryRun, logger: logger)
    }
}
