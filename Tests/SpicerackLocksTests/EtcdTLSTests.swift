import Foundation
import SpicerackLocks
import TestBed
import Testing
import Wmflib

/// The etcd backend over HTTPS with client certificates, against a real etcd started with `--client-cert-auth`.
@Suite("etcd over TLS")
struct EtcdTLSTests {
    @Test("locks are taken and released over HTTPS with a client certificate; without one etcd refuses")
    func locksWithClientCertificate() async throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let etcd = try EtcdServer(tls: certificates.etcdTLS(requireClientCertificate: true))
        defer { etcd.stop() }
        #expect(etcd.endpoint.hasPrefix("https://127.0.0.1:"))

        let backend = try EtcdLockBackend(
            endpoints: [etcd.endpoint],
            tls: EtcdTLSOptions(
                caFile: certificates.caFile, certificateFile: certificates.clientCertificateFile,
                keyFile: certificates.clientKeyFile))
        let key = try uniqueKey()
        let holder = makeHolder()
        #expect(acquired(try await backend.acquire(key: key, holder: holder)))
        #expect(try await backend.holders(prefix: .custom)[key]?.map(\.id) == [holder.id])
        try await backend.release(key: key, holderID: holder.id)
        #expect(try await backend.holders(prefix: .custom)[key] == nil)

        // The CA alone: the handshake is refused, and the error says a client certificate is needed.
        let anonymous = try EtcdLockBackend(
            endpoints: [etcd.endpoint], tls: EtcdTLSOptions(caFile: certificates.caFile), requestTimeout: .seconds(3))
        let refused = await #expect(throws: LockError.self) {
            _ = try await anonymous.acquire(key: try uniqueKey(), holder: makeHolder())
        }
        #expect("\(refused.map { "\($0)" } ?? "")".contains("client certificate"), "\(String(describing: refused))")

        // A certificate of another CA is refused too.
        let stranger = try EtcdLockBackend(
            endpoints: [etcd.endpoint],
            tls: EtcdTLSOptions(
                caFile: certificates.caFile, certificateFile: certificates.strangerCertificateFile,
                keyFile: certificates.strangerKeyFile), requestTimeout: .seconds(3))
        await #expect(throws: LockError.self) {
            _ = try await stranger.acquire(key: try uniqueKey(), holder: makeHolder())
        }
        // Without the private CA the server's certificate is not trusted.
        let untrusting = try EtcdLockBackend(
            endpoints: [etcd.endpoint],
            tls: EtcdTLSOptions(
                certificateFile: certificates.clientCertificateFile, keyFile: certificates.clientKeyFile),
            requestTimeout: .seconds(3))
        let untrusted = await #expect(throws: LockError.self) {
            _ = try await untrusting.acquire(key: try uniqueKey(), holder: makeHolder())
        }
        #expect(
            "\(untrusted.map { "\($0)" } ?? "")".contains("TLS handshake failed"), "\(String(describing: untrusted))")
    }

    @Test("a certificate and key in one file (python-etcd's cert) work")
    func combinedFile() async throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let etcd = try EtcdServer(tls: certificates.etcdTLS(requireClientCertificate: true))
        defer { etcd.stop() }
        let options = try EtcdTLSOptions.fromEtcdrc(
            ["ca_cert": .string(certificates.caFile), "cert": .string(certificates.clientCombinedFile)], file: "etcdrc")
        #expect(options.keyFile == nil)
        let backend = try EtcdLockBackend(endpoints: [etcd.endpoint], tls: options)
        #expect(try await backend.holders(prefix: nil).isEmpty)
    }

    @Test("unusable TLS files and settings are named")
    func badFiles() throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        #expect(throws: EtcdTLSError(path: "/nonexistent/ca.pem", reason: "cannot read the CA certificate file")) {
            _ = try EtcdTLSTransport(options: EtcdTLSOptions(caFile: "/nonexistent/ca.pem"))
        }
        // The certificate file alone has no key.
        let noKey = #expect(throws: EtcdTLSError.self) {
            _ = try EtcdTLSTransport(options: EtcdTLSOptions(certificateFile: certificates.clientCertificateFile))
        }
        #expect(noKey?.path == certificates.clientCertificateFile)
        #expect(noKey?.reason.contains("[certificate, key]") == true)
        // A key where the CA should be.
        let notCA = #expect(throws: EtcdTLSError.self) {
            _ = try EtcdTLSTransport(options: EtcdTLSOptions(caFile: certificates.clientKeyFile))
        }
        #expect(notCA?.reason.contains("no PEM CA certificate") == true)
        #expect(throws: EtcdTLSError.self) {
            _ = try EtcdTLSOptions.fromEtcdrc(["cert": .array([.string("only-one")])], file: "etcdrc")
        }
    }
}
