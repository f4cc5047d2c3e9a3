import Foundation
import Testing

@testable import SpicerackLocks

/// libcurl takes its proxy from the environment; the etcd client must know which, to explain failures.
@Suite("Proxy environment")
struct ProxyEnvironmentTests {
    private let etcd = URL(string: "http://etcd1001.eqiad.wmnet:2379")!

    @Test("http_proxy applies to http endpoints unless no_proxy excludes them")
    func rules() {
        let proxy = "http://webproxy:8080"
        #expect(ProxyEnvironment.proxy(for: etcd, environment: [:]) == nil)
        #expect(ProxyEnvironment.proxy(for: etcd, environment: ["http_proxy": proxy]) == proxy)
        #expect(ProxyEnvironment.proxy(for: etcd, environment: ["HTTP_PROXY": proxy]) == nil)
        #expect(ProxyEnvironment.proxy(for: etcd, environment: ["ALL_PROXY": proxy]) == proxy)
        for exclusion in ["*", "etcd1001.eqiad.wmnet", ".wmnet", "wmnet", "localhost, eqiad.wmnet"] {
            #expect(
                ProxyEnvironment.proxy(for: etcd, environment: ["http_proxy": proxy, "no_proxy": exclusion]) == nil)
        }
        #expect(ProxyEnvironment.proxy(for: etcd, environment: ["http_proxy": proxy, "no_proxy": "mnet"]) == proxy)
    }

    @Test("an etcd request that fails through a proxy says so")
    func failureNamesTheProxy() async {
        let client = EtcdClient(
            endpoints: ["http://127.0.0.1:1"], requestTimeout: .seconds(2),
            environment: ["http_proxy": "http://127.0.0.1:1"])
        do {
            let _: EtcdEmptyResponse = try await client.call("/v3/kv/range", EtcdRangeRequest(key: "x"))
            Issue.record("a request to a closed port succeeded")
        } catch {
            guard case .unreachable(let attempts) = error else {
                Issue.record("expected unreachable, got \(error)")
                return
            }
            #expect(attempts.first?.contains("through the proxy http://127.0.0.1:1 set in the environment") == true)
            #expect(attempts.first?.contains("no_proxy") == true)
        }
    }
}
