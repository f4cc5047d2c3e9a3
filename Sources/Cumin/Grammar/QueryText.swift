/// A query as Unicode scalars, with the character rules of cumin's pyparsing grammars.
struct QueryText {
    /// The original text.
    let text: String
    /// The scalars of ``text``; positions index this array.
    let scalars: [Unicode.Scalar]
    /// The first position after leading whitespace (pyparsing parses `query.strip()`).
    let start: Int
    /// The position after the last non-whitespace scalar.
    let end: Int

    init(_ text: String) {
        self.text = text
        scalars = Array(text.unicodeScalars)
        var first = 0
        var last = scalars.count
        while first < last, Self.isStripped(scalars[first]) { first += 1 }
        while last > first, Self.isStripped(scalars[last - 1]) { last -= 1 }
        start = first
        end = last
    }

    /// The scalar at `position`, or `nil` outside the stripped text.
    subscript(position: Int) -> Unicode.Scalar? {
        position >= start && position < end ? scalars[position] : nil
    }

    /// The text of `range`.
    func string(_ range: Range<Int>) -> String {
        String(String.UnicodeScalarView(scalars[range]))
    }

    /// The run of non-whitespace scalars at `position` (at most 40), for error messages.
    func token(at position: Int) -> String {
        var last = position
        while last < end, last - position < 40, !Self.isSkipped(scalars[last]) { last += 1 }
        return position < last ? string(position..<last) : ""
    }

    /// The first position at or after `position` that is not whitespace pyparsing skips between tokens.
    func skipWhitespace(from position: Int) -> Int {
        var current = position
        while current < end, Self.isSkipped(scalars[current]) { current += 1 }
        return current
    }

    /// The boolean operator at `position` and the position after it, with pyparsing `CaselessKeyword` rules:
    /// caseless, not preceded or followed by a keyword character, `and not` with exactly one space and tried first.
    func booleanOperator(at position: Int) -> (BooleanOperator, end: Int)? {
        if position > start, Self.isKeywordCharacter(scalars[position - 1]) { return nil }
        for candidate in [BooleanOperator.andNot, .and, .xor, .or] {
            let word = Array(candidate.rawValue.unicodeScalars)
            let after = position + word.count
            guard after <= end else { continue }
            let matches = zip(scalars[position..<after], word).allSatisfy { Self.upper($0) == Self.upper($1) }
            if matches, after == end || !Self.isKeywordCharacter(scalars[after]) {
                return (candidate, after)
            }
        }
        return nil
    }

    /// The position after a pyparsing `quotedString` starting at `position`, or `nil` when there is none.
    ///
    /// Single or double quotes; the quote doubled or a backslash escape (`\x` needs hex digits) stays inside;
    /// a line break ends the attempt.
    func quotedStringEnd(at position: Int) -> Int? {
        guard let quote = self[position], quote == "\"" || quote == "'" else { return nil }
        var current = position + 1
        while let scalar = self[current] {
            if scalar == quote {
                guard self[current + 1] == quote else { return current + 1 }
                current += 2
            } else if scalar == "\n" || scalar == "\r" {
                return nil
            } else if scalar == "\\" {
                guard let escaped = self[current + 1] else { return nil }
                if escaped != "x" {
                    current += 2
                    continue
                }
                var digits = current + 2
                while let digit = self[digits], digit.properties.isASCIIHexDigit { digits += 1 }
                guard digits > current + 2 else { return nil }
                current = digits
            } else {
                current += 1
            }
        }
        return nil
    }

    /// Whitespace that pyparsing skips between tokens.
    static func isSkipped(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r"
    }

    /// Whitespace that Python's `str.strip()` removes.
    static func isStripped(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace || (0x1C...0x1F).contains(scalar.value)
    }

    /// pyparsing's keyword characters (`alphanums + "_$"`), compared after Python's `upper()`.
    static func isKeywordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        isASCIIAlphanumeric(upper(scalar)) || scalar == "_" || scalar == "$"
    }

    /// ASCII letters and digits (pyparsing's `alphanums`).
    static func isASCIIAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        isASCIILetter(scalar) || ("0"..."9").contains(scalar)
    }

    /// ASCII letters (pyparsing's `alphas`).
    static func isASCIILetter(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
    }

    /// Python's `upper()` where it yields one ASCII letter (`ı` and `ſ` included), else the scalar itself.
    static func upper(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        switch scalar {
        case "a"..."z": Unicode.Scalar(scalar.value - 32) ?? scalar
        case "\u{131}": "I"
        case "\u{17F}": "S"
        default: scalar
        }
    }
}
