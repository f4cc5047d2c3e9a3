import Cumin

extension Check {
    /// The check as the target scripts run it: one ``TargetCheck`` per stage it is attached to (before and/or
    /// after), `config_deploy` and `config_diff` included.
    /// - Parameter nrpeDir: where an `nrpe` check's `command[name]=…` definition is looked up on the target.
    public func targetChecks(nrpeDir: String) -> [TargetCheck] {
        let line: String
        switch kind {
        case .command:
            line = command
        case .nrpe:
            // The name reaches awk as data (through the environment), never as part of a program.
            let q = shellSingleQuoted
            line = "scap_nrpe=$(SCAP_NRPE_NAME=\(q(command)) awk \(q(Self.nrpeLookup)) \(q(nrpeDir))/*.cfg "
                + "2>/dev/null); "
                + "[ -n \"$scap_nrpe\" ] || { echo \(q("nrpe command '\(command)' not found in \(nrpeDir)")); exit 1; }; "
                + "eval \"$scap_nrpe\""
        case .script:
            line = "\"$SCAP_REV_PATH/scap/scripts/\"\(shellSingleQuoted(command))"
        }
        var checks: [TargetCheck] = []
        if let before {
            checks.append(TargetCheck(name: name, command: line, stage: before, timing: .before, timeout: timeout))
        }
        if let after {
            checks.append(TargetCheck(name: name, command: line, stage: after, timing: .after, timeout: timeout))
        }
        return checks
    }

    /// Prints the command of the first `command[NAME]=…` line, NAME taken from `SCAP_NRPE_NAME` as plain text.
    static let nrpeLookup = #"BEGIN { p = "command[" ENVIRON["SCAP_NRPE_NAME"] "]=" } "#
        + #"index($0, p) == 1 { print substr($0, length(p) + 1); exit }"#

    /// Whether `name` can be an nrpe command name: letters, digits, `_`, `-` and `.`, not starting with `-`.
    public static func isNRPEName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first != "-", name.unicodeScalars.count <= 200 else {
            return false
        }
        return name.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII
                && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "_-.".unicodeScalars.contains(scalar))
        }
    }
}
