extension NodeSet {
    /// Parses a ClusterShell node set expression.
    ///
    /// Terms such as `host[1-3,5]`, `rack[1-2]-node[01-08]` or `10.0.[0-1].[1-2]` are combined strictly left
    /// to right with `,` (union), `!` (difference), `&` (intersection) and `^` (symmetric difference); there
    /// are no parentheses. Node groups (`@group`) are not resolved: `@` is an ordinary character.
    ///
    /// ```swift
    /// let nodes = try NodeSet("host[1-5],host[6-10]&host[5-6]")   // host[5-6]
    /// ```
    /// The whole expression is checked for syntax errors before any range is expanded, so a malformed
    /// expression fails fast however large its ranges; the set being built may hold at most
    /// ``defaultSizeLimit`` nodes (see ``init(_:sizeLimit:)`` to choose another cap).
    /// - Parameter expression: the expression; surrounding whitespace is ignored, `""` is the empty set.
    /// - Throws: ``NodeSetParseError`` with ClusterShell's message, the character position and the fragment.
    public init(_ expression: String) throws(NodeSetParseError) {
        try self.init(expression, sizeLimit: Self.defaultSizeLimit)
    }

    /// Parses a ClusterShell node set expression, refusing one whose set grows beyond `sizeLimit` nodes
    /// at any step (each union or symmetric difference is checked before it is computed).
    ///
    /// ```swift
    /// let small = try NodeSet("web[1-2000]", sizeLimit: 5_000)
    /// ```
    /// - Parameters:
    ///   - expression: the expression; surrounding whitespace is ignored, `""` is the empty set.
    ///   - sizeLimit: the most nodes the set may hold while it is built (at least one term's own cap applies
    ///     too: ten million nodes per bracket or term).
    /// - Throws: ``NodeSetParseError``: a syntax or range error, or `set too large` when the cap is reached.
    public init(_ expression: String, sizeLimit: Int) throws(NodeSetParseError) {
        // First pass: structure and range syntax only (no range is expanded), so errors come before any cost.
        var checker = ExpressionParser(expression, expanding: false, sizeLimit: sizeLimit)
        _ = try checker.parse()
        var parser = ExpressionParser(expression, expanding: true, sizeLimit: sizeLimit)
        self = try parser.parse()
    }

    /// The default cap on the number of nodes a parsed expression may produce: ten million.
    ///
    /// A name of about 20 bytes makes ten million nodes cost roughly a gigabyte once folded and printed, which
    /// is already far beyond any real fleet.
    public static let defaultSizeLimit = 10_000_000
}

/// A transliteration-free re-implementation of ClusterShell's `ParsingEngine._scan_string`, on UTF-8 bytes.
struct ExpressionParser {
    let expression: String
    let bytes: [UInt8]
    var scanner = LiteralScanner()
    /// When `false`, ranges are only checked (not expanded) and no set is built: the syntax-only first pass.
    let expanding: Bool
    /// The most nodes the set may hold at any step.
    let sizeLimit: Int
    /// How many nodes the term being scanned may add before the set is over ``sizeLimit`` (for a union or a
    /// symmetric difference; unlimited for the operators that only shrink the set).
    var termBudget = Int.max

    init(_ expression: String, expanding: Bool = true, sizeLimit: Int = NodeSet.defaultSizeLimit) {
        self.expression = expression
        bytes = Array(expression.utf8)
        self.expanding = expanding
        self.sizeLimit = max(0, sizeLimit)
    }

    private struct Term {
        var pattern: [UInt8] = []
        var axes: [Set<NodeIndex>] = []
        var start: Int
    }

    mutating func parse() throws(NodeSetParseError) -> NodeSet {
        var result = NodeSet()
        var remaining: Range<Int>? = ByteScanning.stripped(bytes, 0..<bytes.count)
        var nextOperator = UInt8(ascii: ",")
        while let current = remaining, !current.isEmpty {
            let text = ByteScanning.leftStripped(bytes, current)
            let termOperator = nextOperator
            var term = Term(start: text.lowerBound)
            let grows = termOperator == UInt8(ascii: ",") || termOperator == UInt8(ascii: "^")
            termBudget = expanding && grows ? max(0, sizeLimit - result.count) : Int.max
            let operatorPosition = ByteScanning.firstOperator(in: bytes, text)
            let bracketPosition = ByteScanning.firstIndex(of: ByteScanning.openBracket, in: bytes, text)
            if let bracket = bracketPosition, operatorPosition.map({ $0 > bracket }) ?? true {
                var suffix = try scanBrackets(text, firstBracket: bracket, into: &term)
                if let position = ByteScanning.firstOperator(in: bytes, suffix) {
                    nextOperator = bytes[position]
                    remaining = (position + 1)..<suffix.upperBound
                    suffix = suffix.lowerBound..<position
                    if remaining?.isEmpty ?? true {
                        throw missingOperand(at: position)
                    }
                } else {
                    remaining = nil
                }
                suffix = ByteScanning.rightStripped(bytes, suffix)
                if !suffix.isEmpty { try scanLiteral(suffix, into: &term) }
            } else {
                var node = text
                if let position = operatorPosition {
                    nextOperator = bytes[position]
                    node = text.lowerBound..<position
                    let rest = (position + 1)..<text.upperBound
                    remaining = rest
                    if node.isEmpty || rest.isEmpty { throw missingOperand(at: position) }
                } else {
                    remaining = nil
                }
                if let closing = ByteScanning.firstIndex(of: ByteScanning.closeBracket, in: bytes, node) {
                    throw error("illegal closing bracket", at: closing, token: node)
                }
                node = ByteScanning.rightStripped(bytes, node)
                try scanLiteral(node, into: &term)
            }
            guard expanding else { continue }
            let operand = try makeNodeSet(term)
            if termOperator == UInt8(ascii: ",") || termOperator == UInt8(ascii: "^") {
                let (total, overflow) = result.count.addingReportingOverflow(operand.count)
                if overflow || total > sizeLimit {
                    throw error(
                        "set too large (more than \(sizeLimit) nodes)", at: term.start,
                        token: term.start..<min(bytes.count, term.start + 1), kind: .range)
                }
            }
            switch termOperator {
            case UInt8(ascii: "!"): result.subtract(operand)
            case UInt8(ascii: "&"): result.formIntersection(operand)
            case UInt8(ascii: "^"): result.formSymmetricDifference(operand)
            default: result.formUnion(operand)
            }
        }
        return result
    }

    /// Consumes `prefix[range]...` groups while the next bracket comes before the next operator; returns the
    /// remaining suffix.
    private mutating func scanBrackets(
        _ text: Range<Int>, firstBracket: Int, into term: inout Term
    ) throws(NodeSetParseError) -> Range<Int> {
        var suffix = text
        var bracket: Int? = firstBracket
        var operatorPosition = ByteScanning.firstOperator(in: bytes, text)
        while let open = bracket, operatorPosition.map({ $0 > open }) ?? true {
            var prefix = suffix.lowerBound..<open
            let afterOpen = (open + 1)..<suffix.upperBound
            guard let close = ByteScanning.firstIndex(of: ByteScanning.closeBracket, in: bytes, afterOpen) else {
                throw error("missing bracket", at: open, token: text)
            }
            var range = Array(bytes[(open + 1)..<close])
            let rangeOrigin = open + 1
            var amended = false
            suffix = (close + 1)..<suffix.upperBound
            if let stray = ByteScanning.firstIndex(of: ByteScanning.closeBracket, in: bytes, prefix) {
                throw error("illegal closing bracket", at: stray, token: prefix)
            }
            if !suffix.isEmpty,
                let nextClose = ByteScanning.firstIndex(of: ByteScanning.closeBracket, in: bytes, suffix),
                nextClose < (ByteScanning.firstIndex(of: ByteScanning.openBracket, in: bytes, suffix) ?? nextClose + 1)
            {
                throw error("illegal closing bracket", at: nextClose, token: suffix)
            }
            let trailingDigits = digitPrefixLength(suffix)
            if trailingDigits > 0 {
                if range.contains(UInt8(ascii: "/")) {
                    throw error("illegal trailing digits after range with steps", at: suffix.lowerBound, token: suffix)
                }
                let digits = Array(bytes[suffix.lowerBound..<(suffix.lowerBound + trailingDigits)])
                range = appendingDigits(digits, to: range)
                amended = true
                suffix = (suffix.lowerBound + trailingDigits)..<suffix.upperBound
            }
            let leadingDigits = digitSuffixLength(prefix)
            if leadingDigits > 0, !expanding {
                // The syntax pass only checks the range; the prepended digits cannot make it invalid.
                do {
                    try RangeSet.check(range)
                } catch {
                    throw rangeError(error, origin: rangeOrigin, amended: amended)
                }
            } else if leadingDigits > 0 {
                let digits = Array(bytes[(prefix.upperBound - leadingDigits)..<prefix.upperBound])
                let indexes: Set<NodeIndex>
                do {
                    indexes = try RangeSet.parse(range, limit: axisLimit(term))
                } catch {
                    throw rangeError(error, origin: rangeOrigin, amended: amended)
                }
                let runs = RangeSet.runs(of: NodeIndex.sorted(indexes))
                if runs.contains(where: { $0.last == -1 }) {
                    // ClusterShell cannot rebuild a run ending at -1 here (its slice stop would be 0).
                    throw NodeSetParseError(
                        message: "invalid range upper limit (0)", expression: expression,
                        position: characterOffset(rangeOrigin), token: String(decoding: range, as: UTF8.self),
                        kind: .range)
                }
                range = prependingDigits(digits, to: runs)
                amended = true
                prefix = prefix.lowerBound..<(prefix.upperBound - leadingDigits)
            }
            if !prefix.isEmpty { try scanLiteral(prefix, into: &term) }
            bracket = ByteScanning.firstIndex(of: ByteScanning.openBracket, in: bytes, suffix)
            operatorPosition = ByteScanning.firstOperator(in: bytes, suffix)
            if !suffix.isEmpty, bytes[suffix.lowerBound] == ByteScanning.openBracket {
                throw error("illegal reopening bracket", at: suffix.lowerBound, token: suffix)
            }
            term.pattern.append(UInt8(ascii: "%"))
            term.pattern.append(UInt8(ascii: "s"))
            if expanding { try checkBudget(term, adding: range) }
            do {
                if expanding {
                    term.axes.append(try RangeSet.parse(range, limit: axisLimit(term)))
                } else {
                    try RangeSet.check(range)
                }
            } catch {
                throw rangeError(error, origin: rangeOrigin, amended: amended)
            }
            if expanding { try checkTermSize(term) }
        }
        return suffix
    }

    private func digitPrefixLength(_ range: Range<Int>) -> Int {
        var count = 0
        while range.lowerBound + count < range.upperBound, ByteScanning.isDigit(bytes[range.lowerBound + count]) {
            count += 1
        }
        return count
    }

    private func digitSuffixLength(_ range: Range<Int>) -> Int {
        var count = 0
        while range.upperBound - count > range.lowerBound, ByteScanning.isDigit(bytes[range.upperBound - count - 1]) {
            count += 1
        }
        return count
    }

    /// `host[1-3]0`: every bound gets the digits appended and ranges get a `/1<zeros>` step.
    private func appendingDigits(_ digits: [UInt8], to range: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        for (elementNumber, element) in ByteScanning.split(range, 0..<range.count, on: UInt8(ascii: ",")).enumerated() {
            if elementNumber > 0 { result.append(UInt8(ascii: ",")) }
            let bounds = ByteScanning.split(range, element, on: UInt8(ascii: "-"))
            for (boundNumber, bound) in bounds.enumerated() {
                if boundNumber > 0 { result.append(UInt8(ascii: "-")) }
                result.append(contentsOf: range[bound])
                result.append(contentsOf: digits)
            }
            if bounds.count > 1 {
                result.append(contentsOf: Array("/1".utf8))
                result.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: digits.count))
            }
        }
        return result
    }

    /// `host1[0-3]`: every contiguous run of the range gets the digits prepended to each bound.
    private func prependingDigits(_ digits: [UInt8], to runs: [RangeSet.Run]) -> [UInt8] {
        var result: [UInt8] = []
        for (runNumber, run) in runs.enumerated() {
            if runNumber > 0 { result.append(UInt8(ascii: ",")) }
            var text: [UInt8] = []
            NodeIndex.appendFormatted(run.first, padding: run.padding, to: &text)
            if run.last != run.first {
                text.append(UInt8(ascii: "-"))
                NodeIndex.appendFormatted(run.last, padding: run.padding, to: &text)
            }
            for (boundNumber, bound) in ByteScanning.split(text, 0..<text.count, on: UInt8(ascii: "-")).enumerated() {
                if boundNumber > 0 { result.append(UInt8(ascii: "-")) }
                result.append(contentsOf: digits)
                result.append(contentsOf: text[bound])
            }
        }
        return result
    }

    private mutating func scanLiteral(_ range: Range<Int>, into term: inout Term) throws(NodeSetParseError) {
        let outcome = bytes.withUnsafeBufferPointer { buffer in
            scanner.scan(buffer, range, longRunsAsText: false)
        }
        switch outcome {
        case .scanned(let pattern):
            term.pattern.append(contentsOf: pattern.bytes)
            for index in scanner.indexes { term.axes.append([index]) }
        case .empty:
            throw error("parse error", at: range.lowerBound, token: range)
        case .indexTooLarge(let run):
            throw error(
                "invalid rangeset index (more than 18 significant digits)", at: run.lowerBound, token: run,
                kind: .range)
        }
    }

    /// The most indexes the next axis of `term` may expand to: what is left of ``termBudget`` (and of the
    /// per-term cap) divided by the nodes the term's other axes already make.
    private func axisLimit(_ term: Term) -> Int {
        var product = 1
        for axis in term.axes {
            let (next, overflow) = product.multipliedReportingOverflow(by: max(1, axis.count))
            if overflow { return 0 }
            product = next
        }
        return min(RangeSet.elementLimit, termBudget, max(sizeLimit, 1)) / max(1, product)
    }

    /// Refuses, before expanding it, an axis that would take the term past ``termBudget`` for sure: when the
    /// items of `range` do not overlap, their sizes add up exactly.
    private func checkBudget(_ term: Term, adding range: [UInt8]) throws(NodeSetParseError) {
        guard termBudget < Int.max, let size = RangeSet.exactSize(range) else { return }
        var product = size
        for axis in term.axes {
            let (next, overflow) = product.multipliedReportingOverflow(by: axis.count)
            product = overflow ? Int.max : next
        }
        if product > termBudget {
            throw error(
                "set too large (more than \(sizeLimit) nodes)", at: term.start,
                token: term.start..<min(bytes.count, term.start + 1), kind: .range)
        }
    }

    /// Refuses a term whose axes already multiply beyond the per-term cap, before the next axis is expanded.
    private func checkTermSize(_ term: Term) throws(NodeSetParseError) {
        var product = 1
        for axis in term.axes {
            let (next, overflow) = product.multipliedReportingOverflow(by: axis.count)
            if overflow || next > min(RangeSet.elementLimit, max(sizeLimit, 1)) {
                throw error(
                    "range too large (more than \(min(RangeSet.elementLimit, sizeLimit)) nodes in one term)",
                    at: term.start, token: term.start..<min(bytes.count, term.start + 1), kind: .range)
            }
            product = next
        }
    }

    private func makeNodeSet(_ term: Term) throws(NodeSetParseError) -> NodeSet {
        let pattern = NodePattern(bytes: term.pattern, dimension: term.axes.count)
        var set = NodeSet()
        switch term.axes.count {
        case 0:
            set.entries[pattern] = PatternEntry(dimension: 0)
        case 1:
            set.entries[pattern] = PatternEntry(indexes: term.axes[0])
        default:
            var product = 1
            for axis in term.axes {
                let (next, overflow) = product.multipliedReportingOverflow(by: axis.count)
                if overflow || next > RangeSet.elementLimit {
                    throw error(
                        "range too large (more than \(RangeSet.elementLimit) nodes in one term)", at: term.start,
                        token: term.start..<min(bytes.count, term.start + 1), kind: .range)
                }
                product = next
            }
            set.entries[pattern] = PatternEntry(vectors: RangeSetND(box: term.axes))
        }
        return set
    }

    // MARK: Errors

    private func characterOffset(_ byteOffset: Int) -> Int {
        String(decoding: bytes[0..<min(max(0, byteOffset), bytes.count)], as: UTF8.self).count
    }

    private func error(
        _ message: String, at byteOffset: Int, token: Range<Int>, kind: NodeSetParseError.Kind = .syntax
    ) -> NodeSetParseError {
        NodeSetParseError(
            message: message, expression: expression, position: characterOffset(byteOffset),
            token: String(decoding: bytes[token], as: UTF8.self), kind: kind)
    }

    private func missingOperand(at position: Int) -> NodeSetParseError {
        let symbol = String(decoding: [bytes[position]], as: UTF8.self)
        return error(
            "missing nodeset operand with '\(symbol)' operator", at: position, token: position..<(position + 1))
    }

    private func rangeError(_ failure: RangeSetParseFailure, origin: Int, amended: Bool) -> NodeSetParseError {
        NodeSetParseError(
            message: failure.message, expression: expression,
            position: characterOffset(amended ? origin : origin + failure.offset),
            token: String(decoding: failure.part, as: UTF8.self), kind: .range)
    }
}
