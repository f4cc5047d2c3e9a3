import Foundation

/// A throwaway certificate authority for TLS tests, made with the `openssl` command in a temporary directory: a CA,
/// a server certificate for 127.0.0.1 and a client certificate, all PEM (EC P-256 keys, valid one day).
///
/// ```swift
/// let certificates = try TestCertificates()
/// defer { certificates.remove() }
/// let etcd = try EtcdServer(enableV2: true, tls: certificates.etcdTLS(requireClientCertificate: true))
/// ```
public struct TestCertificates: Sendable {
    /// The directory holding every file; removed by ``remove()``.
    public let directory: String
    /// The CA certificate.
    public var caFile: String { directory + "/ca.pem" }
    /// The server certificate (subjectAltName IP:127.0.0.1, DNS:localhost; usable as a client certificate too, as
    /// etcd's JSON gateway presents it to etcd itself under `--client-cert-auth`).
    public var serverCertificateFile: String { directory + "/server.pem" }
    /// The server's key.
    public var serverKeyFile: String { directory + "/server.key" }
    /// The client certificate (CN `clientName`).
    public var clientCertificateFile: String { directory + "/client.pem" }
    /// The client's key.
    public var clientKeyFile: String { directory + "/client.key" }
    /// The client certificate followed by its key, in one file (python-etcd's `cert`).
    public var clientCombinedFile: String { directory + "/client-combined.pem" }
    /// A client certificate signed by another CA, which the servers must refuse.
    public var strangerCertificateFile: String { directory + "/stranger.pem" }
    /// Its key.
    public var strangerKeyFile: String { directory + "/stranger.key" }

    /// Makes the CA and certificates.
    /// - Parameter clientName: the client certificate's common name.
    /// - Throws: ``TestBedError`` when openssl is missing (`apt-get install openssl`) or fails.
    public init(clientName: String = "conftool") throws {
        let openssl = try Tools.find(
            "openssl", environment: "SPICERACK_TESTBED_OPENSSL", hint: "apt-get install openssl")
        directory = "/tmp/spicerack-testbed-tls-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileSystem.createDirectory(directory, mode: 0o700)
        let key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        func run(_ arguments: [String]) throws {
            let result = try ChildProcess.run(openssl, arguments, timeout: 30)
            guard result.exitCode == 0 else {
                throw TestBedError.commandFailed(
                    command: "openssl " + arguments.joined(separator: " "), exitCode: result.exitCode,
                    output: result.standardError)
            }
        }
        func sign(_ name: String, subject: String, extensions: String, ca: String = "ca") throws {
            try run(
                ["req", "-new"] + key + [
                    "-keyout", "\(directory)/\(name).key", "-out", "\(directory)/\(name).csr", "-subj", subject,
                ])
            try FileSystem.write(extensions, to: "\(directory)/\(name).ext")
            try run([
                "x509", "-req", "-in", "\(directory)/\(name).csr", "-CA", "\(directory)/\(ca).pem", "-CAkey",
                "\(directory)/\(ca).key", "-CAcreateserial", "-days", "1", "-out", "\(directory)/\(name).pem",
                "-extfile", "\(directory)/\(name).ext",
            ])
        }
        do {
            for ca in ["ca", "stranger-ca"] {
                try run(
                    ["req", "-x509"] + key + [
                        "-keyout", "\(directory)/\(ca).key", "-out", "\(directory)/\(ca).pem", "-days", "1", "-subj",
                        "/CN=spicerack test \(ca)",
                    ])
            }
            try sign(
                "server", subject: "/CN=127.0.0.1",
                extensions: "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n")
            try sign("client", subject: "/CN=\(clientName)", extensions: "extendedKeyUsage=clientAuth\n")
            try sign(
                "stranger", subject: "/CN=\(clientName)", extensions: "extendedKeyUsage=clientAuth\n",
                ca: "stranger-ca")
            let combined = (FileSystem.read(clientCertificateFile) ?? "") + (FileSystem.read(clientKeyFile) ?? "")
            try FileSystem.write(combined, to: clientCombinedFile)
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    /// etcd's TLS settings with the server certificate; with `requireClientCertificate`, clients must present a
    /// certificate of this CA.
    public func etcdTLS(requireClientCertificate: Bool) -> EtcdServer.TLS {
        EtcdServer.TLS(
            certificateFile: serverCertificateFile, keyFile: serverKeyFile,
            clientCA: requireClientCertificate ? caFile : nil)
    }

    /// Removes the directory.
    public func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}
