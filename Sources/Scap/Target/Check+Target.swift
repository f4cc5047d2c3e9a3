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
            let q = shellSingleQuoted
            line = "scap_nrpe=$(sed -n \(q("s/^command\\[\(command)\\]=//p")) \(q(nrpeDir))/*.cfg 2>/dev/null | head -n 1); "
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
}
