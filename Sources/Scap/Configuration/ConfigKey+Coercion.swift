extension ConfigKey.Kind {
    /// Coerces the text of an option to this kind; `nil` when the text is not a valid value.
    public func coerce(_ text: String) -> ConfigValue? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        switch self {
        case .string:
            return .string(trimmed)
        case .nonNegativeInt:
            guard let value = Int(trimmed), value >= 0 else { return nil }
            return .int(value)
        case .positiveInt:
            guard let value = Int(trimmed), value >= 1 else { return nil }
            return .int(value)
        case .port:
            guard let value = Int(trimmed), (1...65535).contains(value) else { return nil }
            return .int(value)
        case .seconds:
            guard let value = Double(trimmed), value.isFinite, value > 0 else { return nil }
            return .double(value)
        case .bool:
            switch trimmed.lowercased() {
            case "1", "yes", "true", "on": return .bool(true)
            case "0", "no", "false", "off": return .bool(false)
            default: return nil
            }
        case .list:
            let names = Self.splitList(trimmed)
            guard names.allSatisfy(ConfigKey.isGroupName) else { return nil }
            return .list(names)
        case .failureLimit:
            return FailureLimit(parsing: trimmed).map(ConfigValue.failureLimit)
        case .octal:
            var digits = Substring(trimmed.lowercased())
            if digits.hasPrefix("0o") { digits = digits.dropFirst(2) }
            guard !digits.isEmpty, let value = Int(digits, radix: 8), value <= 0o777 else { return nil }
            return .int(value)
        case .services:
            let entries = Self.splitList(trimmed)
            guard !entries.isEmpty, entries.allSatisfy({ ServiceSpec(parsing: $0) != nil }) else { return nil }
            return .list(entries)
        case .number:
            guard let value = Double(trimmed), value.isFinite, value >= 0 else { return nil }
            return .double(value)
        case .binaryManagers:
            let entries = Self.splitList(trimmed)
            guard entries.allSatisfy({ $0 == "git-fat" || $0 == "git-lfs" }) else { return nil }
            return .list(entries)
        }
    }

    /// Splits a comma-separated list, trimming entries and dropping empty ones.
    static func splitList(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
