import Cumin

/// The name of a service in `service_name`: systemd unit-name characters only, so it can never carry shell
/// syntax into the restart command run on the targets.
///
/// Allowed: ASCII letters and digits, `_`, `.`, `@` and `-`, not starting with `-` or `.`, at most 200
/// characters (`mathoid`, `php7.4-fpm`, `getty@tty1`).
/// ```swift
/// ServiceName.isValid("php7.4-fpm")            // true
/// ServiceName.isValid("foo;touch${IFS}/x")     // false
/// ```
public enum ServiceName {
    /// The longest accepted name.
    public static let maximumLength = 200

    /// Whether `name` is a usable service name.
    public static func isValid(_ name: some StringProtocol) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= maximumLength,
            first != UInt8(ascii: "-"), first != UInt8(ascii: ".")
        else { return false }
        return name.utf8.allSatisfy(isAllowed)
    }

    /// `name` as one shell word: bare when it is a valid name (all its characters are inert in the shell),
    /// single-quoted otherwise.
    public static func shellWord(_ name: String) -> String {
        isValid(name) ? name : shellSingleQuoted(name)
    }

    private static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "@"),
            UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }
}
