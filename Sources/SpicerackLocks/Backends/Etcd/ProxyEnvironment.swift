import Foundation

/// The HTTP proxy libcurl (under URLSession on Linux) takes from the environment for a URL.
///
/// URLSession on Linux offers no way to turn that proxy off, so the etcd client names it in its errors: an etcd
/// request that fails through a proxy is explained, and the fix (`no_proxy`) is at hand.
enum ProxyEnvironment {
    /// The proxy used for `url` according to `environment` (libcurl's variables and rules), or nil.
    ///
    /// `http_proxy` (lower case only) for http, `https_proxy`/`HTTPS_PROXY` for https, then `all_proxy`/
    /// `ALL_PROXY`; none when the host matches `no_proxy`/`NO_PROXY` (`*`, the host, or a domain suffix).
    static func proxy(for url: URL, environment: [String: String]) -> String? {
        guard let host = url.host?.lowercased(), let scheme = url.scheme?.lowercased() else { return nil }
        let candidates =
            scheme == "https"
            ? ["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"] : ["http_proxy", "all_proxy", "ALL_PROXY"]
        guard let proxy = candidates.lazy.compactMap({ environment[$0] }).first(where: { !$0.isEmpty }) else {
            return nil
        }
        let exclusions = (environment["no_proxy"] ?? environment["NO_PROXY"] ?? "")
            .split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            .filter { !$0.isEmpty }
        for exclusion in exclusions {
            if exclusion == "*" { return nil }
            let domain = exclusion.hasPrefix(".") ? String(exclusion.dropFirst()) : exclusion
            if host == domain || host.hasSuffix("." + domain) { return nil }
        }
        return proxy
    }
}
