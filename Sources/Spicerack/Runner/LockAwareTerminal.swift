import Wmflib

/// A terminal that flags the session's locks as "waiting for input" while a prompt waits, so `cookbook --locks`
/// shows who is stuck at a prompt.
struct LockAwareTerminal: Terminal {
    let base: any Terminal
    let session: CookbookSession

    var isTTY: Bool { base.isTTY }

    func write(_ text: String) { base.write(text) }

    func readLine(prompt: String) -> String? {
        session.setWaitingForInput(true)
        defer { session.setWaitingForInput(false) }
        return base.readLine(prompt: prompt)
    }

    func readSecret(prompt: String) -> String? {
        session.setWaitingForInput(true)
        defer { session.setWaitingForInput(false) }
        return base.readSecret(prompt: prompt)
    }
}
