import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import Wmflib

/// The TLS settings of an etcd client: a private CA to trust and a client certificate to present.
///
/// In an etcdrc (python-etcd's keys, which conftool and Spicerack read):
/// ```yaml
/// protocol: https
/// ca_cert: /etc/ssl/certs/wmf-ca.pem        # trust this CA (PEM) instead of the system's
/// cert: /etc/etcd/ssl/client.pem            # client certificate and its key, PEM, in one file
/// # or: cert: [/etc/etcd/ssl/client.crt, /etc/etcd/ssl/client.key]
/// ```
public struct EtcdTLSOptions: Sendable, Equatable {
    /// The CA certificates (PEM) that sign the server's certificate; nil trusts the system's CAs.
    public var caFile: String?
    /// The client certificate chain (PEM), presented to servers started with `--client-cert-auth`.
    public var certificateFile: String?
    /// The client certificate's private key (PEM); nil when it is in ``certificateFile``.
    public var keyFile: String?

    /// Options with the given files.
    public init(caFile: String? = nil, certificateFile: String? = nil, keyFile: String? = nil) {
        self.caFile = caFile
        self.certificateFile = certificateFile
        self.keyFile = keyFile
    }

    /// Whether anything is set: without a CA or a client certificate, Foundation's transport serves `https://`.
    public var isEmpty: Bool { caFile == nil && certificateFile == nil && keyFile == nil }

    /// Reads python-etcd's `ca_cert` and `cert` (a file with the certificate and its key, or a list of the
    /// certificate file and the key file) from an etcdrc's values.
    /// - Parameter file: the file the values come from, for the errors.
    /// - Throws: ``EtcdTLSError`` naming the key when a value has the wrong shape.
    public static func fromEtcdrc(_ values: [String: YAMLValue], file: String) throws(EtcdTLSError) -> EtcdTLSOptions {
        var options = EtcdTLSOptions()
        if let ca = values["ca_cert"], !ca.isNull {
            guard let path = ca.stringValue, !path.isEmpty else {
                throw EtcdTLSError(path: file, reason: "ca_cert must be the path of a PEM file")
            }
            options.caFile = path
        }
        if let cert = values["cert"], !cert.isNull {
            if let path = cert.stringValue, !path.isEmpty {
                options.certificateFile = path
            } else if let pair = cert.arrayValue, pair.count == 2, let certificate = pair[0].stringValue,
                let key = pair[1].stringValue, !certificate.isEmpty, !key.isEmpty
            {
                options.certificateFile = certificate
                options.keyFile = key
            } else {
                throw EtcdTLSError(
                    path: file,
                    reason: "cert must be the path of a PEM file with the certificate and its key, or "
                        + "a list [certificate file, key file]")
            }
        }
        return options
    }
}

/// A TLS file that cannot be used, or a TLS setting of the wrong shape.
public struct EtcdTLSError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file at fault (a PEM file, or the configuration file naming it).
    public var path: String
    /// What is wrong with it.
    public var reason: String

    /// An error about `path`.
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    /// `<path>: <reason>`.
    public var description: String { "\(path): \(reason)" }
}

/// HTTPS with a private CA and a client certificate, through AsyncHTTPClient (NIO SSL): what URLSession cannot do
/// on Linux. Plain `http://` endpoints work too. Requests go through AsyncHTTPClient's shared client; its
/// connection pool keeps connections per TLS configuration, so every client with the same files shares them.
public struct EtcdTLSTransport: EtcdHTTPTransport {
    /// The largest answer read: a whole conftool tree is a few MiB at most.
    static let maximumBodySize = 64 << 20
    private static let maximumPEMSize = 1 << 20

    private let tls: TLSConfiguration
    private let presentsCertificate: Bool

    /// Loads the files of `options` (PEM).
    /// - Throws: ``EtcdTLSError`` naming a file that cannot be read or parsed.
    public init(options: EtcdTLSOptions) throws(EtcdTLSError) {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile = options.caFile {
            let certificates = try Self.certificates(caFile, what: "CA certificate")
            tls.trustRoots = .certificates(certificates)
        }
        if let certificateFile = options.certificateFile {
            let chain = try Self.certificates(certificateFile, what: "client certificate")
            tls.certificateChain = chain.map { .certificate($0) }
            let keyFile = options.keyFile ?? certificateFile
            let bytes = try Self.read(keyFile, what: "client key")
            do {
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: bytes, format: .pem))
            } catch {
                throw EtcdTLSError(
                    path: keyFile,
                    reason: "no usable PEM private key (\(error))"
                        + (options.keyFile == nil ? "; give the key file as cert: [certificate, key]" : ""))
            }
        } else if let keyFile = options.keyFile {
            throw EtcdTLSError(path: keyFile, reason: "a client key without a client certificate")
        }
        self.tls = tls
        self.presentsCertificate = options.certificateFile != nil
    }

    /// AsyncHTTPClient ignores the proxy environment.
    public var followsEnvironmentProxy: Bool { false }

    /// Sends the request with this transport's TLS configuration.
    public func send(_ request: EtcdHTTPRequest) async throws -> EtcdHTTPResponse {
        var outgoing = HTTPClientRequest(url: request.url.absoluteString)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for header in request.headers { outgoing.headers.add(name: header.name, value: header.value) }
        if let body = request.body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
        outgoing.tlsConfiguration = tls
        let (seconds, attoseconds) = request.timeout.components
        let milliseconds = max(seconds * 1000 + attoseconds / 1_000_000_000_000_000, 1)
        do {
            let response = try await HTTPClient.shared.execute(outgoing, timeout: .milliseconds(milliseconds))
            let body = try await response.body.collect(upTo: Self.maximumBodySize)
            return EtcdHTTPResponse(status: Int(response.status.code), body: Data(body.readableBytesView))
        } catch {
            if Task.isCancelled { throw CancellationError() }
            throw EtcdTransportError(
                Self.reason(error, https: request.url.scheme == "https", presentsCertificate: presentsCertificate))
        }
    }

    /// Words for an AsyncHTTPClient or NIO SSL error, with what to check for TLS failures.
    static func reason(_ error: any Error, https: Bool, presentsCertificate: Bool) -> String {
        if let error = error as? HTTPClientError, error == .deadlineExceeded {
            return "no answer within the request timeout"
        }
        // A TLS 1.3 server refuses a missing client certificate after the client's side of the handshake is done:
        // the client only sees the connection closed.
        if let error = error as? HTTPClientError, error == .remoteConnectionClosed, https, !presentsCertificate {
            return "the server closed the connection after the TLS handshake (\(error)): it requires a client "
                + "certificate (etcd --client-cert-auth); set cert in the etcdrc"
        }
        let text = "\(error)"
        let lowered = text.lowercased()
        if lowered.contains("certificate_required") || lowered.contains("certificate required") {
            return "the server requires a client certificate (\(text)); set cert in the etcdrc"
        }
        if error is NIOSSLError || error is BoringSSLError || lowered.contains("certificate_verify_failed") {
            return "TLS handshake failed (\(text)); check ca_cert and cert in the etcdrc"
        }
        return text
    }

    private static func read(_ path: String, what: String) throws(EtcdTLSError) -> [UInt8] {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        guard let size = attributes?[.size] as? Int, FileManager.default.isReadableFile(atPath: path) else {
            throw EtcdTLSError(path: path, reason: "cannot read the \(what) file")
        }
        guard size <= maximumPEMSize, let data = FileManager.default.contents(atPath: path) else {
            throw EtcdTLSError(path: path, reason: "the \(what) file is larger than 1 MiB or unreadable")
        }
        return [UInt8](data)
    }

    private static func certificates(_ path: String, what: String) throws(EtcdTLSError) -> [NIOSSLCertificate] {
        let bytes = try read(path, what: what)
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMBytes(bytes)
        } catch {
            throw EtcdTLSError(path: path, reason: "no PEM \(what) in it (\(error))")
        }
        guard !certificates.isEmpty else { throw EtcdTLSError(path: path, reason: "no PEM \(what) in it") }
        return certificates
    }
}
