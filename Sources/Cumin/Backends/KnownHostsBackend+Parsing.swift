extension KnownHostsBackend {
    /// What one known_hosts line contributes.
    public enum Line: Sendable, Equatable {
        /// Host names found on the line, and the patterns and IP addresses skipped on it.
        case hosts(Set<String>, skipped: Set<String>)
        /// A line without hosts by design: empty, `#` comment, `|` hashed, `@revoked`.
        case skipped(String)
        /// A line that cannot be used (not enough fields, unknown `@` marker): cumin warns "Discarded invalid line".
        case invalid(String)
    }

    /// Parses one line with cumin's rules (`man sshd`, SSH_KNOWN_HOSTS FILE FORMAT).
    ///
    /// Hosts are the comma-separated first field (the second after `@cert-authority`); `[host]:port` gives `host`;
    /// patterns with `*` or `?` and IP addresses are skipped; a leading `!` is removed and the host still counts,
    /// as in cumin.
    public static func parseLine(_ line: String) -> Line {
        let trimmed = line.unicodeScalars.drop(while: QueryText.isStripped)
        guard let first = trimmed.first else { return .skipped("empty line") }
        if first == "#" { return .skipped("comment") }
        if first == "|" { return .skipped("hashed") }
        let fields = line.unicodeScalars.split(whereSeparator: QueryText.isStripped).map { String($0) }
        guard fields.count >= 3 else { return .invalid("not enough fields") }
        let hostField: String
        if first == "@" {
            guard fields.count >= 4 else { return .invalid("not enough fields") }
            switch fields[0] {
            case "@cert-authority": hostField = fields[1]
            case "@revoked": return .skipped("revoked")
            default: return .invalid("unknown marker")
            }
        } else {
            hostField = fields[0]
        }
        var hosts = Set<String>()
        var skipped = Set<String>()
        for entry in hostField.split(separator: ",", omittingEmptySubsequences: true) {
            var host = Substring(entry)
            if host.first == "!" { host = host.dropFirst() }
            if host.first == "[" { host = host.dropFirst().prefix { $0 != "]" } }
            guard !host.isEmpty else { continue }
            if host.contains("*") || host.contains("?") || isIPAddress(host) {
                skipped.insert(String(host))
            } else {
                hosts.insert(String(host))
            }
        }
        return .hosts(hosts, skipped: skipped)
    }

    /// The lines of a file as Python's text mode reads them (`\n`, `\r\n` and `\r` end a line).
    static func lines(of text: String) -> [String] {
        var lines: [String] = []
        var current = String.UnicodeScalarView()
        var previousWasReturn = false
        for scalar in text.unicodeScalars {
            if scalar == "\n", previousWasReturn {
                previousWasReturn = false
                continue
            }
            previousWasReturn = scalar == "\r"
            if scalar == "\n" || scalar == "\r" {
                lines.append(String(current))
                current = String.UnicodeScalarView()
            } else {
                current.append(scalar)
            }
        }
        if !current.isEmpty { lines.append(String(current)) }
        return lines
    }

    /// Whether Python's `ipaddress.ip_address` accepts `text` (strict dotted IPv4, IPv6 with optional `%scope`).
    static func isIPAddress(_ text: Substring) -> Bool {
        isIPv4Address(text) || isIPv6Address(text)
    }

    private static func isIPv4Address(_ text: Substring) -> Bool {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4
            && octets.allSatisfy { octet in
                guard (1...3).contains(octet.count), octet.allSatisfy({ $0.isASCII && $0.isNumber }),
                    let value = Int(octet), value <= 255
                else { return false }
                return octet.count == 1 || octet.first != "0"
            }
    }

    /// A port of Python's `IPv6Address` parsing (`_ip_int_from_string`).
    private static func isIPv6Address(_ text: Substring) -> Bool {
        var address = text
        if let percent = text.firstIndex(of: "%") {
            let scope = text[text.index(after: percent)...]
            guard !scope.isEmpty, !scope.contains("%") else { return false }
            address = text[..<percent]
        }
        var parts = address.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 3 else { return false }
        if let last = parts.last, last.contains(".") {
            guard isIPv4Address(last) else { return false }
            parts.removeLast()
            parts += ["0", "0"]
        }
        guard parts.count <= 9 else { return false }
        let empty = (1..<(parts.count - 1)).filter { parts[$0].isEmpty }
        var checked = parts[...]
        if let skip = empty.first {
            guard empty.count == 1 else { return false }
            var high = skip
            var low = parts.count - skip - 1
            if parts[0].isEmpty {
                high -= 1
                guard high == 0 else { return false }
                checked = checked.dropFirst()
            }
            if parts[parts.count - 1].isEmpty {
                low -= 1
                guard low == 0 else { return false }
                checked = checked.dropLast()
            }
            guard 8 - (high + low) >= 1 else { return false }
        } else {
            guard parts.count == 8, !parts[0].isEmpty, !parts[7].isEmpty else { return false }
        }
        return checked.allSatisfy { part in
            part.isEmpty || (part.count <= 4 && part.allSatisfy { $0.isASCII && $0.isHexDigit })
        }
    }
}
