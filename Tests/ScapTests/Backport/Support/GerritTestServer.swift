import Foundation
import TestSupport

/// A small Gerrit-compatible HTTP server for tests (Python, on loopback): it serves the documented JSON of the
/// changes registered through `/test/changes` (with the `)]}'` prefix), records Code-Review votes, and on a +2
/// merges the change's commit into the branch of a real bare repository, unless the change is set to fail
/// (`verified-1`, `cr-2`, `unmergeable`).
final class GerritTestServer {
    let port: Int
    let process: Process
    var url: String { "http://127.0.0.1:\(port)" }

    static let script = #"""
        import http.server, json, subprocess, sys, threading, urllib.parse
        upstream, port = sys.argv[1], int(sys.argv[2])
        lock = threading.Lock()
        changes, votes = {}, []

        def git(*args):
            return subprocess.run(["git", "-C", upstream] + list(args), capture_output=True, text=True)

        def merge(change):
            branch = "refs/heads/" + change["branch"]
            head = git("rev-parse", branch).stdout.strip()
            commit = change["commit"]
            if git("merge-base", "--is-ancestor", head, commit).returncode == 0:
                git("update-ref", branch, commit)
                return True
            tree = git("merge-tree", "--write-tree", head, commit)
            if tree.returncode != 0:
                return False
            merged = git("-c", "user.name=Gerrit", "-c", "user.email=gerrit@example.org", "commit-tree",
                         tree.stdout.split()[0], "-p", head, "-p", commit, "-m", "Merge " + change["subject"])
            git("update-ref", branch, merged.stdout.strip())
            return True

        def info(change):
            labels = {"Code-Review": {"all": [{"value": v} for v in change["cr"]]},
                      "Verified": {"all": [{"value": v} for v in change["verified"]]}}
            if -2 in change["cr"]:
                labels["Code-Review"]["rejected"] = {"name": "reviewer"}
            if -1 in change["verified"]:
                labels["Verified"]["rejected"] = {"name": "jenkins-bot"}
            revision = {"_number": change["patchset"], "ref": "refs/changes/%02d/%d/%d" % (
                change["number"] % 100, change["number"], change["patchset"]),
                "commit": {"parents": [{"commit": p} for p in change["parents"]], "subject": change["subject"]}}
            return {"id": "web~%s~I%d" % (change["branch"], change["number"]), "project": "web",
                    "branch": change["branch"], "topic": change.get("topic"), "hashtags": change.get("hashtags", []),
                    "change_id": "I%d" % change["number"], "subject": change["subject"], "status": change["status"],
                    "mergeable": change["mergeable"], "_number": change["number"],
                    "owner": {"name": "Change Author", "username": "author"},
                    "current_revision": change["commit"], "revisions": {change["commit"]: revision}, "labels": labels}

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def reply(self, code, value, prefix=True):
                data = ((")]}'\n" if prefix else "") + json.dumps(value)).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def body(self):
                return json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")

            def do_GET(self):
                url = urllib.parse.urlparse(self.path)
                parts = [p for p in url.path.split("/") if p]
                with lock:
                    if parts == ["test", "votes"]:
                        return self.reply(200, votes, prefix=False)
                    if parts == ["changes"]:
                        query = urllib.parse.parse_qs(url.query).get("q", [""])[0].split(" ")
                        found = list(changes.values())
                        for term in query:
                            if term == "status:open":
                                found = [c for c in found if c["status"] == "NEW"]
                            elif term.startswith("commit:"):
                                found = [c for c in found if c["commit"] == term[7:]]
                            elif term.startswith("branch:"):
                                found = [c for c in found if c["branch"] == term[7:]]
                        return self.reply(200, [info(c) for c in found])
                    if len(parts) == 2 and parts[0] == "changes" and parts[1] in changes:
                        change = changes[parts[1]]
                        if change.get("pending_polls", 0) > 0:
                            change["pending_polls"] -= 1
                            if change["pending_polls"] == 0 and merge(change):
                                change["status"], change["mergeable"] = "MERGED", True
                        return self.reply(200, info(change))
                self.reply(404, "Not found: " + url.path, prefix=False)

            def do_POST(self):
                parts = [p for p in urllib.parse.urlparse(self.path).path.split("/") if p]
                body = self.body()
                with lock:
                    if parts == ["test", "changes"]:
                        body.setdefault("status", "NEW")
                        body.setdefault("mergeable", True)
                        body.setdefault("patchset", 1)
                        body.setdefault("cr", [])
                        body.setdefault("verified", [])
                        changes[str(body["number"])] = body
                        return self.reply(200, {}, prefix=False)
                    if len(parts) == 5 and parts[0] == "changes" and parts[2:] == ["revisions", "current", "review"]:
                        change = changes.get(parts[1])
                        if change is None:
                            return self.reply(404, "Not found", prefix=False)
                        votes.append({"change": change["number"], "message": body.get("message"),
                                      "labels": body.get("labels", {})})
                        change["cr"].append(body.get("labels", {}).get("Code-Review", 0))
                        behavior = change.get("behavior", "merge")
                        if behavior == "verified-1":
                            change["verified"].append(-1)
                        elif behavior == "cr-2":
                            change["cr"].append(-2)
                        elif behavior == "hold":
                            pass
                        elif behavior == "unmergeable":
                            change["mergeable"] = False
                        elif behavior == "rebase-then-merge":
                            change["mergeable"], change["pending_polls"] = False, 3
                        elif behavior == "new-patchset":
                            change["commit"], change["patchset"] = change["next_commit"], change["patchset"] + 1
                            change["behavior"] = "merge"
                        elif merge(change):
                            change["status"] = "MERGED"
                        else:
                            change["mergeable"] = False
                        return self.reply(200, {"labels": body.get("labels", {})})
                self.reply(404, "Not found", prefix=False)

        http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
        """#

    /// Starts the server over the bare repository `upstream`.
    init(upstream: String) throws {
        port = try freeLoopbackPort()
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", Self.script, upstream, String(port)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<50 {
            if let output = try? runTool("/usr/bin/curl", ["-sf", "\(url)/test/votes"], timeout: 5), output.status == 0
            {
                return
            }
            usleep(100_000)
        }
        stop()
        throw TargetTestFailure("the Gerrit test server does not answer on port \(port)")
    }

    /// Registers a change: its number, commit, parents and what happens on a +2 (`merge`, `verified-1`, `cr-2`,
    /// `unmergeable`, `rebase-then-merge`: not mergeable for 2 polls then merged on the 3rd, `new-patchset`: a
    /// second patchset `nextCommit` appears instead of a merge, and is merged on the next +2).
    func register(
        _ number: Int, commit: String, parents: [String], subject: String, branch: String = "main",
        behavior: String = "merge", status: String = "NEW", hashtags: [String] = [], nextCommit: String? = nil
    ) throws {
        var body: [String: Any] = [
            "number": number, "commit": commit, "parents": parents, "subject": subject, "branch": branch,
            "behavior": behavior, "status": status, "hashtags": hashtags,
        ]
        if let nextCommit { body["next_commit"] = nextCommit }
        let data = try JSONSerialization.data(withJSONObject: body)
        let output = try runTool(
            "/usr/bin/curl",
            [
                "-sf", "-X", "POST", "-H", "Content-Type: application/json", "--data-binary",
                String(decoding: data, as: UTF8.self), "\(url)/test/changes",
            ], timeout: 10)
        guard output.status == 0 else { throw TargetTestFailure("cannot register change \(number): \(output.stderr)") }
    }

    /// The votes received: change number, message and labels.
    func votes() throws -> [[String: Any]] {
        let output = try runTool("/usr/bin/curl", ["-sf", "\(url)/test/votes"], timeout: 10)
        return (try JSONSerialization.jsonObject(with: Data(output.stdout.utf8))) as? [[String: Any]] ?? []
    }

    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    deinit { stop() }
}
