import Foundation
import Logging

/// Reads and changes the objects of one conftool entity (Spicerack's `ConftoolEntity`).
///
/// Selectors map a tag (or `name`) to a regular expression that must match the whole value:
/// ```swift
/// let nodes = try spicerack.confctl("node")
/// let pooled = try await nodes.filterObjects(["pooled": "yes"], ["service": "apache2|nginx", "name": "mw100[12]"])
/// try await nodes.updateObjects(["pooled": "no"], pooled)
/// try await nodes.setAndVerify("weight", 10, ["name": "mw1001"])
/// try await nodes.changeAndRevert("pooled", original: "yes", changed: "no", ["name": "mw1001"]) { depooled in
///     try await restart(depooled)   // repooled afterwards, also when this throws or the task is cancelled
/// }
/// ```
/// In dry-run mode everything is read for real, and every write is logged as `Would have set ...` and skipped.
public struct ConftoolEntity: Sendable {
    /// The entity's definition.
    public let entity: ConftoolSchema.Entity
    /// Whether writes are only logged.
    public let dryRun: Bool
    let root: String
    let store: EtcdKeys
    let logger: Logger

    init(entity: ConftoolSchema.Entity, root: String, store: EtcdKeys, dryRun: Bool, logger: Logger) {
        self.entity = entity
        self.root = root
        self.store = store
        self.dryRun = dryRun
        self.logger = logger
    }

    /// The etcd directory of the entity's objects.
    public var directory: String { root + "/" + entity.path }

    /// The objects matching every selector, sorted by key.
    /// - Parameter selectors: tag (or `name`) → a regular expression matching the whole value.
    /// - Throws: ``ConftoolError`` for an unknown tag or invalid expression, `No match found` when nothing
    ///   matches, or an etcd problem.
    public func get(_ selectors: [String: String]) async throws(ConftoolError) -> [ConftoolObject] {
        let matchers = try compile(selectors)
        let objects = try await all().filter { object in
            matchers.allSatisfy { tag, regex in
                let value = tag == "name" ? object.name : (object.tags[tag] ?? "")
                return (try? regex.wholeMatch(in: value)) != nil
            }
        }
        guard !objects.isEmpty else {
            throw ConftoolError("No match found", location: "\(entity.name) \(Self.describe(selectors))")
        }
        for object in objects { logger.debug("Selected conftool object: \(object)") }
        return objects
    }

    /// The selected objects whose fields equal every value of `filter` (Spicerack's `filter_objects`); may be empty.
    /// - Throws: ``ConftoolError`` as ``get(_:)`` does (also when the selectors match nothing), or for a field the
    ///   entity does not have.
    public func filterObjects(
        _ filter: [String: ConftoolValue], _ selectors: [String: String]
    ) async throws(ConftoolError) -> [ConftoolObject] {
        for field in filter.keys where !entity.freeForm && entity.fields[field] == nil {
            throw ConftoolError(
                "Could not find property \"\(field)\" in entity \(entity.name)",
                hint: "fields: \(entity.fields.keys.sorted().joined(separator: ", "))")
        }
        return try await get(selectors).filter { object in
            filter.allSatisfy { object.values[$0.key] == $0.value }
        }
    }

    /// Sets `changed` on the given objects, each with a compare-and-swap on its key (re-read and retried when
    /// another writer got there first); other fields are kept. In dry-run mode only logged.
    /// - Throws: ``ConftoolError`` for a field or value the schema refuses, an object that vanished, or etcd errors.
    public func updateObjects(_ changed: [String: ConftoolValue], _ objects: [ConftoolObject])
        async throws(ConftoolError)
    {
        try validate(changed)
        let change = changed.keys.sorted().map { "\($0)=\(changed[$0] ?? .null)" }.joined(separator: ":")
        for object in objects {
            if dryRun {
                logger.info("Would have set \(change) on \(object.selectorDescription)")
                continue
            }
            logger.debug("Updating conftool: \(object) -> \(change)")
            try await write(changed, to: object.key)
        }
    }

    /// Sets `changed` on every object matching `selectors` (Spicerack's `update`).
    public func update(_ changed: [String: ConftoolValue], _ selectors: [String: String]) async throws(ConftoolError)
    {
        try await updateObjects(changed, try await get(selectors))
    }

    /// Sets one field on the selected objects and reads them back to check it stuck (not checked in dry-run).
    /// - Throws: ``ConftoolError`` naming the object whose value differs.
    public func setAndVerify(_ field: String, _ value: ConftoolValue, _ selectors: [String: String])
        async throws(ConftoolError)
    {
        logger.info("Setting \(field)=\(value) for tags: \(Self.describe(selectors))")
        try await update([field: value], selectors)
        guard !dryRun else { return }
        for object in try await get(selectors) where object.values[field] != value {
            throw ConftoolError(
                "Conftool key \(field) has value '\(object.values[field] ?? .null)', expecting '\(value)'",
                location: object.selectorDescription)
        }
    }

    /// Sets `field` from `original` to `changed` on the selected objects that have `original`, runs `body` with
    /// them, and sets `original` back on those objects on every way out: a return, a thrown error, a cancelled
    /// task (Ctrl-C). The revert runs outside the caller's cancellation, so it completes.
    /// - Returns: what `body` returns.
    /// - Throws: what `body` throws (after the revert), or ``ConftoolError`` when the change or the revert fails.
    public func changeAndRevert<T: Sendable>(
        _ field: String, original: ConftoolValue, changed: ConftoolValue, _ selectors: [String: String],
        _ body: ([ConftoolObject]) async throws -> T
    ) async throws -> T {
        let objects = try await filterObjects([field: original], selectors)
        let revert: @Sendable () async throws -> Void = { [self] in
            try await Task { try await self.updateObjects([field: original], objects) }.value
        }
        do {
            try await updateObjects([field: changed], objects)
        } catch {
            try? await revert()  // some objects may have changed before the failure
            throw error
        }
        let result: T
        do {
            result = try await body(objects)
        } catch {
            do {
                try await revert()
            } catch let revertError {
                logger.error("Unable to restore \(field)=\(original) after a failure: \(revertError)")
            }
            throw error
        }
        try await revert()
        return result
    }

    // MARK: - Reading and writing

    /// Every object of the entity.
    private func all() async throws(ConftoolError) -> [ConftoolObject] {
        let prefix = directory + "/"
        var objects: [ConftoolObject] = []
        for node in try await store.list(directory) where node.key.hasPrefix(prefix) {
            let parts = node.key.dropFirst(prefix.count).split(separator: "/").map(String.init)
            guard parts.count == entity.tags.count + 1, let name = parts.last else { continue }
            let values: [String: ConftoolValue]
            guard case .object(let decoded)? = try? JSONDecoder().decode(ConftoolValue.self, from: Data(node.value.utf8))
            else {
                logger.warning("Skipping the conftool object at \(node.key): its value is not a JSON object")
                continue
            }
            values = decoded
            objects.append(
                ConftoolObject(
                    entity: entity.name, tags: Dictionary(uniqueKeysWithValues: zip(entity.tags, parts)),
                    tagNames: entity.tags, name: name, values: values, key: node.key,
                    modifiedIndex: node.modifiedIndex))
        }
        return objects
    }

    /// Merges `changed` into the current value of `key` with compare-and-swap, a few times if others write too.
    private func write(_ changed: [String: ConftoolValue], to key: String) async throws(ConftoolError) {
        for _ in 0..<5 {
            guard let current = try await store.get(key) else {
                throw ConftoolError("The object no longer exists", location: key)
            }
            guard case .object(var values)? = try? JSONDecoder().decode(ConftoolValue.self, from: Data(current.value.utf8))
            else {
                throw ConftoolError("The kvstore contains malformed data", location: key)
            }
            values.merge(changed) { _, new in new }
            if try await store.compareAndSwap(key, value: ConftoolValue.object(values).json, modifiedIndex: current.modifiedIndex) {
                return
            }
        }
        throw ConftoolError(
            "Another client kept changing the object; gave up after 5 tries", location: key,
            hint: "retry when the other change is done")
    }

    private func validate(_ changed: [String: ConftoolValue]) throws(ConftoolError) {
        guard !entity.freeForm else { return }
        for (field, value) in changed {
            guard let definition = entity.fields[field] else {
                throw ConftoolError(
                    "Entity \(entity.name) has no field '\(field)'",
                    hint: "fields: \(entity.fields.keys.sorted().joined(separator: ", "))")
            }
            guard definition.type.accepts(value) else {
                throw ConftoolError(
                    "Invalid value \(value.json) for \(entity.name).\(field): expected \(definition.type)")
            }
        }
    }

    private func compile(_ selectors: [String: String]) throws(ConftoolError) -> [(String, Regex<AnyRegexOutput>)] {
        var matchers: [(String, Regex<AnyRegexOutput>)] = []
        for (tag, expression) in selectors.sorted(by: { $0.key < $1.key }) {
            guard tag == "name" || entity.tags.contains(tag) else {
                throw ConftoolError(
                    "Unknown tag '\(tag)' for entity \(entity.name)",
                    hint: "tags: \((entity.tags + ["name"]).joined(separator: ", "))")
            }
            do {
                matchers.append((tag, try Regex("(?:" + expression + ")")))
            } catch {
                throw ConftoolError("Invalid regular expression for \(tag): \(expression): \(error)")
            }
        }
        return matchers
    }

    /// `dc=eqiad,name=mw1001` (sorted).
    static func describe(_ selectors: [String: String]) -> String {
        selectors.keys.sorted().map { "\($0)=\(selectors[$0] ?? "")" }.joined(separator: ",")
    }
}
