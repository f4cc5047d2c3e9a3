import Foundation
import SpicerackLocks

/// Conftool's store: the v2 keys API of etcd (`/v2/keys/...`), which conftool (and its `confctl`) reads and writes,
/// spoken through the locks' etcd client (same endpoints failover, proxy diagnosis and Basic authentication).
struct EtcdKeys: Sendable {
    /// One key with its value and the index of its last change.
    struct Node: Sendable {
        var key: String
        var value: String
        var modifiedIndex: Int
    }

    let client: EtcdClient

    /// Every key (not directory) under `directory`, recursively; empty when the directory does not exist.
    func list(_ directory: String) async throws(ConftoolError) -> [Node] {
        let answer = try await send("GET", Self.path(directory) + "?recursive=true", location: directory)
        if answer.status == 404 { return [] }
        let document = try decode(answer, location: directory)
        var nodes: [Node] = []
        // Bounded by the answer's size: the tree is walked with an explicit stack, never by recursion.
        var stack = document.node.map { [$0] } ?? []
        while let node = stack.popLast() {
            if node.dir == true {
                stack.append(contentsOf: node.nodes ?? [])
            } else if let value = node.value {
                nodes.append(Node(key: node.key ?? "", value: value, modifiedIndex: node.modifiedIndex ?? 0))
            }
        }
        return nodes.sorted { $0.key < $1.key }
    }

    /// One key, or nil when it does not exist.
    func get(_ key: String) async throws(ConftoolError) -> Node? {
        let answer = try await send("GET", Self.path(key), location: key)
        if answer.status == 404 { return nil }
        let document = try decode(answer, location: key)
        guard let node = document.node, let value = node.value else { return nil }
        return Node(key: node.key ?? key, value: value, modifiedIndex: node.modifiedIndex ?? 0)
    }

    /// Writes `value` at `key` if it was not changed since `modifiedIndex` (or, with nil, if it does not exist).
    /// - Returns: whether it was written; false when another writer changed the key first.
    func compareAndSwap(_ key: String, value: String, modifiedIndex: Int?) async throws(ConftoolError) -> Bool {
        let condition = modifiedIndex.map { "prevIndex=\($0)" } ?? "prevExist=false"
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let body = "value=" + (value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")
        let answer = try await send(
            "PUT", Self.path(key) + "?" + condition, body: Data(body.utf8),
            contentType: "application/x-www-form-urlencoded", location: key)
        switch answer.status {
        case 200, 201: return true
        case 412: return false
        default:
            _ = try decode(answer, location: key)  // throws the error etcd reports
            return false
        }
    }

    private func send(
        _ method: String, _ path: String, body: Data? = nil, contentType: String? = nil, location: String
    ) async throws(ConftoolError) -> EtcdClient.Answer {
        do throws(EtcdClient.Failure) {
            return try await client.send(method, path, body: body, contentType: contentType)
        } catch {
            switch error {
            case .unreachable(let attempts):
                throw ConftoolError(
                    "Unable to reach etcd: " + (attempts.isEmpty ? "no endpoint configured" : attempts.joined(separator: "; ")),
                    location: location, hint: "check the etcd endpoints in the conftool etcdrc")
            case .cancelled:
                throw ConftoolError("Cancelled while talking to etcd", location: location)
            case .server(let endpoint, _, _, let message), .invalidResponse(let endpoint, _, let message):
                throw ConftoolError("etcd at \(endpoint): \(message)", location: location)
            }
        }
    }

    /// The answer as a v2 document, or the etcd error it reports.
    private func decode(_ answer: EtcdClient.Answer, location: String) throws(ConftoolError) -> Document {
        if answer.status == 401 || answer.status == 403 {
            throw ConftoolError(
                "etcd at \(answer.endpoint) refused the credentials (HTTP \(answer.status))", location: location,
                hint: "check username and password in the conftool etcdrc")
        }
        guard (200..<300).contains(answer.status) else {
            let error = try? JSONDecoder().decode(ErrorDocument.self, from: answer.body)
            let text = error?.message.map { "\($0) (errorCode \(error?.errorCode ?? 0))" }
            throw ConftoolError(
                "etcd at \(answer.endpoint) answered HTTP \(answer.status): "
                    + (text ?? String(decoding: answer.body.prefix(200), as: UTF8.self)),
                location: location,
                hint: answer.status == 404 ? "is the v2 API enabled on etcd (--enable-v2)?" : nil)
        }
        do {
            return try JSONDecoder().decode(Document.self, from: answer.body)
        } catch {
            throw ConftoolError(
                "etcd at \(answer.endpoint) answered something that is not a v2 keys document: "
                    + String(decoding: answer.body.prefix(200), as: UTF8.self),
                location: location)
        }
    }

    /// `/v2/keys` followed by the key, each segment percent-encoded.
    static func path(_ key: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let segments = key.split(separator: "/").map {
            $0.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
        }
        return "/v2/keys/" + segments.joined(separator: "/")
    }

    private struct Document: Decodable {
        var node: NodeDocument?
    }

    private struct NodeDocument: Decodable {
        var key: String?
        var value: String?
        var dir: Bool?
        var nodes: [NodeDocument]?
        var modifiedIndex: Int?
    }

    private struct ErrorDocument: Decodable {
        var errorCode: Int?
        var message: String?
    }
}
