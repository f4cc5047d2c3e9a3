/// The rule every host name must pass before it reaches a command line: the one place it is checked.
///
/// A name such as `-oProxyCommand=/tmp/x.sh` would be read by `ssh` as an option (and run a command as the user
/// running cumin or scap), so names that start with `-` are refused wherever hosts come from (known_hosts files,
/// `D{}` expressions, scap's target lists), and again by ``Executor`` before anything is spawned. Names holding
/// whitespace or control characters are refused too: they cannot be a host and would break line-based output.
///
/// ```swift
/// if let problem = HostName.problem("-oProxyCommand=x") { print(problem) }
/// // host name '-oProxyCommand=x' starts with '-' and would be read as an option
/// ```
public enum HostName {
    /// Why `name` cannot be used as a host, or `nil` when it can.
    public static func problem(_ name: String) -> String? {
        guard let first = name.unicodeScalars.first else { return "empty host name" }
        if first == "-" {
            return "host name '\(printable(name))' starts with '-' and would be read as an option"
        }
        if name.unicodeScalars.contains(where: isRefusedScalar) {
            return "host name '\(printable(name))' contains whitespace or a control character"
        }
        return nil
    }

    /// Whether `name` passes ``problem(_:)``.
    public static func isValid(_ name: String) -> Bool { problem(name) == nil }

    /// The first refused name of `names` and why, or `nil`.
    public static func firstProblem<S: Sequence>(in names: S) -> (name: String, problem: String)?
    where S.Element == String {
        for name in names {
            if let problem = problem(name) { return (name, problem) }
        }
        return nil
    }

    static func isRefusedScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .spaceSeparator: return true
        default: return scalar == "\u{85}"
        }
    }

    /// `name` with control characters shown as `\u{…}` escapes, so an error message stays one line.
    static func printable(_ name: String) -> String {
        var result = ""
        for scalar in name.unicodeScalars.prefix(200) {
            if isRefusedScalar(scalar) && scalar != " " {
                result += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
