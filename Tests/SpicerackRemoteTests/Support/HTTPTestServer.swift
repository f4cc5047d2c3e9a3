import TestBed
import Foundation

/// A real HTTP server on 127.0.0.1 (a random port), run by `python3` from a script the test writes, that answers
/// each path with a scripted list of responses and records every request it receives.
///
/// The test stops it by PID (``stop()``); the server also exits on its own when the test process goes away or
/// after two minutes, so a killed test run leaves nothing behind.
final class HTTPTestServer: @unchecked Sendable {
    /// One scripted answer.
    struct Reply: Encodable {
        var status: Int = 200
        var body: String = ""
        var headers: [String: String] = [:]
        /// Seconds to wait before answering.
        var delay: Double = 0
    }

    /// A request as the server received it.
    struct Request: Decodable, Equatable {
        var method: String
        var path: String
        var query: [String: [String]]
        var headers: [String: String]
        var body: String
    }

    let port: Int
    private let process: Process
    private let directory: String

    /// Starts a server; `routes` maps a path (without query) to its answers, used in order, the last one repeated.
    /// Unknown paths get a 404.
    init(routes: [String: [Reply]]) throws {
        directory = NSTemporaryDirectory() + "spicerack-remote-http-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let script = directory + "/server.py"
        let config = directory + "/routes.json"
        let portFile = directory + "/port"
        try Self.script.write(toFile: script, atomically: true, encoding: .utf8)
        try JSONEncoder().encode(routes).write(to: URL(fileURLWithPath: config))
        process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.python())
        process.arguments = [script, config, portFile, directory + "/requests.jsonl", String(getpid())]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        let deadline = ContinuousClock.now + .seconds(10)
        var found: Int?
        while found == nil, ContinuousClock.now < deadline, process.isRunning {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8), text.hasSuffix("\n") {
                found = Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
            } else {
                Thread.sleep(forTimeInterval: 0.02)
            }
        }
        guard let found else {
            if process.isRunning { kill(process.processIdentifier, SIGTERM) }
            process.waitForExit()
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: portFile])
        }
        port = found
    }

    /// `http://127.0.0.1:<port><path>`.
    func url(_ path: String) -> URL {
        URL(string: "http://127.0.0.1:\(port)\(path)")!
    }

    /// Every request received so far, in order.
    var requests: [Request] {
        guard let text = try? String(contentsOfFile: directory + "/requests.jsonl", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(Request.self, from: Data($0.utf8)) }
    }

    /// Stops the server by its PID and removes its files.
    func stop() {
        stopProcess()
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func stopProcess() {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        process.waitForExit()
    }

    private static func python() throws -> String {
        for candidate in ["/usr/bin/python3", "/usr/local/bin/python3"]
        where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/python3"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "python3"])
    }

    private static let script = #"""
        import json, os, signal, sys, threading, time, urllib.parse
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        # The test process spawns from a thread that blocks most signals; let SIGTERM stop the server.
        signal.pthread_sigmask(signal.SIG_SETMASK, set())

        config_path, port_path, log_path, parent = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
        with open(config_path) as f:
            routes = json.load(f)
        served = {}
        lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def handle_any(self):
                parsed = urllib.parse.urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
                with lock:
                    with open(log_path, "a") as log:
                        log.write(json.dumps({
                            "method": self.command, "path": parsed.path,
                            "query": urllib.parse.parse_qs(parsed.query, keep_blank_values=True),
                            "headers": {k: v for k, v in self.headers.items()}, "body": body}) + "\n")
                    replies = routes.get(parsed.path)
                    index = served.get(parsed.path, 0)
                    served[parsed.path] = index + 1
                if not replies:
                    reply = {"status": 404, "body": "not found", "headers": {}, "delay": 0}
                else:
                    reply = replies[min(index, len(replies) - 1)]
                time.sleep(reply.get("delay", 0))
                data = reply.get("body", "").encode()
                self.send_response(reply.get("status", 200))
                for name, value in reply.get("headers", {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = handle_any

        def watchdog():
            start = time.time()
            while os.getppid() == parent and time.time() - start < 120:
                time.sleep(0.2)
            os._exit(0)

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=watchdog, daemon=True).start()
        with open(port_path + ".tmp", "w") as f:
            f.write("%d\n" % server.server_address[1])
        os.rename(port_path + ".tmp", port_path)
        server.serve_forever()
        """#
}
