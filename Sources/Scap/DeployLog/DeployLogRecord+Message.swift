import Foundation

extension DeployLogRecord {
    /// The message with its arguments, as Python's `msg % args` builds it (`%s %r %d %i %f %x %o %e %g %%`, with
    /// flags, width and precision). Without arguments, or when the arguments do not fit, it is ``msg`` unchanged.
    public var message: String {
        guard !args.isEmpty else { return msg }
        return Self.percentFormat(msg, args) ?? msg
    }

    static func percentFormat(_ format: String, _ args: [JSONValue]) -> String? {
        var output = ""
        var remaining = args[...]
        var index = format.startIndex
        while index < format.endIndex {
            let character = format[index]
            index = format.index(after: index)
            guard character == "%" else {
                output.append(character)
                continue
            }
            var spec = ""
            while index < format.endIndex, "-+ #0123456789.".contains(format[index]) {
                spec.append(format[index])
                index = format.index(after: index)
            }
            guard index < format.endIndex else { return nil }
            let conversion = format[index]
            index = format.index(after: index)
            if conversion == "%" {
                output.append("%")
                continue
            }
            guard let argument = remaining.popFirst() else { return nil }
            guard let text = convert(argument, conversion: conversion, spec: spec) else { return nil }
            output += text
        }
        return remaining.isEmpty ? output : nil
    }

    private static func convert(_ argument: JSONValue, conversion: Character, spec: String) -> String? {
        switch conversion {
        case "s", "r", "a":
            let text = conversion == "s" ? argument.description : argument.pythonRepr
            let parts = spec.split(separator: ".", omittingEmptySubsequences: false)
            var value = text
            if parts.count == 2, let precision = Int(parts[1]) { value = String(value.prefix(precision)) }
            let width = Int(parts.first?.filter(\.isNumber) ?? "") ?? 0
            let padding = String(repeating: " ", count: max(0, width - value.count))
            return spec.hasPrefix("-") ? value + padding : padding + value
        case "d", "i", "u", "x", "X", "o":
            let number: Int
            switch argument {
            case .int(let value): number = value
            case .double(let value): number = Int(value)
            case .bool(let value): number = value ? 1 : 0
            default: return nil
            }
            let cConversion = conversion == "i" || conversion == "u" ? "d" : String(conversion)
            return String(format: "%\(spec)l\(cConversion)", number)
        case "f", "F", "e", "E", "g", "G":
            guard let number = argument.number ?? (argument == .bool(true) ? 1 : argument == .bool(false) ? 0 : nil)
            else { return nil }
            return String(format: "%\(spec)\(conversion)", number)
        default:
            return nil
        }
    }
}
