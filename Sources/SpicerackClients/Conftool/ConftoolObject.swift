/// One conftool object: an entity's tags, its name and its values, as read from etcd.
///
/// ```swift
/// for object in try await spicerack.confctl("node").get(["service": "apache2", "dc": "eqiad"]) {
///     print(object.name, object["pooled"] ?? .null)   // mw1001 yes
/// }
/// ```
public struct ConftoolObject: Sendable, Equatable, CustomStringConvertible {
    /// The entity (`node`, `discovery`, ...).
    public let entity: String
    /// The tag values by tag (`dc: eqiad`), one per tag of the entity.
    public let tags: [String: String]
    /// The entity's tags, in key order.
    public let tagNames: [String]
    /// The object's name (a host for nodes, a datacenter for discovery).
    public let name: String
    /// The values (`pooled`, `weight`, ...).
    public var values: [String: ConftoolValue]
    /// The etcd key.
    public let key: String
    /// etcd's index of the last change, for compare-and-swap.
    let modifiedIndex: Int

    /// The value of `field`, or nil.
    public subscript(field: String) -> ConftoolValue? { values[field] }

    /// `dc=eqiad,cluster=appserver,service=apache2`, as confctl prints the tags.
    public var tagsDescription: String {
        tagNames.map { "\($0)=\(tags[$0] ?? "")" }.joined(separator: ",")
    }

    /// `node dc=eqiad,cluster=appserver,service=apache2,name=mw1001`.
    public var selectorDescription: String {
        "\(entity) \(tagsDescription.isEmpty ? "" : tagsDescription + ",")name=\(name)"
    }

    /// `node dc=...,name=mw1001 {"pooled": "yes", "weight": 10}`.
    public var description: String { "\(selectorDescription) \(ConftoolValue.object(values).json)" }
}
