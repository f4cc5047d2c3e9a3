/// A failure while parsing the inside of a bracket, before it is turned into a `NodeSetParseError`.
struct RangeSetParseFailure: Error, Sendable {
    var message: String
    /// The offending sub-range text (stripped), as ClusterShell reports it.
    var part: [UInt8]
    /// Byte offset of `part` inside the parsed range text.
    var offset: Int
}

/// One-dimensional index sets: ClusterShell `RangeSet` parsing and folding.
enum RangeSet {
    /// Largest number of indexes a single bracketed range or node set term may produce.
    ///
    /// ClusterShell accepts up to 10⁹ per range (and then exhausts memory); this implementation refuses
    /// anything above ten million with a "range too large" error instead.
    static let elementLimit = 10_000_000

    /// Parses a comma separated list of `N`, `A-B` and `A-B/S` items with ClusterShell 1.9.3 semantics,
    /// including its quirks (`1-2-3` is `-2..3`, whitespace inside items ignored, padding from leading zeros).
    /// - Parameter limit: the most indexes the range may produce (the sizes of its items, added, are checked
    ///   before each is expanded); ``elementLimit`` at most.
    static func parse(_ text: [UInt8], limit: Int = elementLimit) throws(RangeSetParseFailure) -> Set<NodeIndex> {
        var result = Set<NodeIndex>()
        try parse(text, into: &result, limit: limit)
        return result
    }

    /// Checks `text` as ``parse(_:)`` would, without expanding it: every item's syntax and the per-item cap.
    static func check(_ text: [UInt8]) throws(RangeSetParseFailure) {
        for piece in ByteScanning.split(text, 0..<text.count, on: UInt8(ascii: ",")) {
            let subrange = ByteScanning.stripped(text, piece)
            let item = try parseItem(text, subrange)
            if (item.last - item.first) / item.step + 1 > elementLimit {
                throw RangeSetParseFailure(
                    message: "range too large (more than \(elementLimit) indexes)", part: Array(text[subrange]),
                    offset: subrange.lowerBound)
            }
        }
    }

    /// The number of indexes `text` gives when its items cannot overlap (sorted by first index, each ends before
    /// the next begins), without expanding it; `nil` when it does not parse or items may overlap.
    static func exactSize(_ text: [UInt8]) -> Int? {
        var items: [Item] = []
        for piece in ByteScanning.split(text, 0..<text.count, on: UInt8(ascii: ",")) {
            guard let item = try? parseItem(text, ByteScanning.stripped(text, piece)) else { return nil }
            items.append(item)
        }
        items.sort { $0.first < $1.first }
        var total = 0
        for (index, item) in items.enumerated() {
            if index > 0, items[index - 1].last >= item.first { return nil }
            let (sum, overflow) = total.addingReportingOverflow((item.last - item.first) / item.step + 1)
            if overflow { return nil }
            total = sum
        }
        return total
    }

    static func parse(_ text: [UInt8], into result: inout Set<NodeIndex>, limit: Int = elementLimit)
        throws(RangeSetParseFailure)
    {
        let limit = min(max(0, limit), elementLimit)
        for piece in ByteScanning.split(text, 0..<text.count, on: UInt8(ascii: ",")) {
            let subrange = ByteScanning.stripped(text, piece)
            let item = try parseItem(text, subrange)
            let total = (item.last - item.first) / item.step + 1
            if total > limit || result.count + total > limit {
                throw RangeSetParseFailure(
                    message: "range too large (more than \(limit) indexes)", part: Array(text[subrange]),
                    offset: subrange.lowerBound)
            }
            result.reserveCapacity(result.count + total)
            var value = item.first
            while value <= item.last {
                result.insert(NodeIndex(value: value, padding: item.padding))
                value += item.step
            }
        }
    }

    struct Item {
        var first: Int
        var last: Int
        var step: Int
        var padding: Int
    }

    private static func parseItem(_ text: [UInt8], _ subrange: Range<Int>) throws(RangeSetParseFailure) -> Item {
        func failure(_ message: String) -> RangeSetParseFailure {
            RangeSetParseFailure(message: message, part: Array(text[subrange]), offset: subrange.lowerBound)
        }
        let conversionMessage = subrange.isEmpty ? "empty range" : "cannot convert string to integer"
        func integer(_ range: Range<Int>) throws(RangeSetParseFailure) -> Int {
            switch ByteScanning.pythonInt(text, range) {
            case .value(let value): return value
            case .invalid: throw failure(conversionMessage)
            case .tooLarge: throw failure("invalid values in range (index above \(NodeIndex.maximumValue))")
            }
        }

        var base = subrange
        var step = 1
        if let slash = ByteScanning.firstIndex(of: UInt8(ascii: "/"), in: text, subrange) {
            base = subrange.lowerBound..<slash
            switch ByteScanning.pythonInt(text, (slash + 1)..<subrange.upperBound) {
            case .value(let value): step = value
            case .invalid: throw failure("cannot convert string to integer")
            case .tooLarge: step = Int.max / 4
            }
        }

        var beginSign = 1
        var endSign = 1
        var begin = base
        var end = base
        if ByteScanning.firstIndex(of: UInt8(ascii: "-"), in: text, base) == nil {
            if step != 1 { throw failure("invalid step usage") }
        } else {
            let pieces = ByteScanning.split(text, base, on: UInt8(ascii: "-")).map {
                ByteScanning.stripped(text, $0)
            }
            switch pieces.count {
            case 2:
                begin = pieces[0]
                end = pieces[1]
                if begin.isEmpty {
                    begin = end
                    beginSign = -1
                    endSign = -1
                }
            case 3:
                begin = pieces[1]
                end = pieces[2]
                beginSign = -1
            case 4:
                begin = pieces[1]
                end = pieces[3]
                beginSign = -1
                endSign = -1
            default:
                throw failure("too many values to unpack")
            }
        }

        var padding = 0
        var endPadding = 0
        let start: Int
        if try integer(begin) != 0 {
            let significant = stripLeadingZeros(text, begin)
            if significant.count < begin.count { padding = begin.count }
            start = try integer(significant)
        } else {
            if begin.count > 1 { padding = begin.count }
            start = 0
        }
        let endSignificant = try integer(end) != 0 ? stripLeadingZeros(text, end) : end
        if endSignificant.count < end.count { endPadding = end.count }
        if (padding > 0 || endPadding > 0) && begin.count != end.count {
            throw failure("padding length mismatch")
        }
        let stop = try integer(endSignificant)
        if padding > 0 && beginSign < 0 { throw failure("padding not supported in negative ranges") }
        let first = start * beginSign
        let last = stop * endSign
        if first > last || step < 1 { throw failure("invalid values in range") }
        if last - first >= 999_999_999 { throw failure("range too large") }
        return Item(first: first, last: last, step: step, padding: padding)
    }

    private static func stripLeadingZeros(_ text: [UInt8], _ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound
        while lower < range.upperBound, text[lower] == UInt8(ascii: "0") { lower += 1 }
        return lower..<range.upperBound
    }

    /// A maximal run of consecutive indexes sharing one padding, as ClusterShell's folding emits them.
    struct Run {
        var first: Int
        var last: Int
        var padding: Int
    }

    /// ClusterShell's slice generator with autostep disabled, over indexes sorted in ClusterShell order.
    static func runs(of sorted: [NodeIndex]) -> [Run] {
        var result: [Run] = []
        guard let head = sorted.first else { return result }
        var currentStart = head.value
        var currentPadded = head.isPadded
        var currentPadding = head.width
        var currentStep: Int? = nil
        var lastValue = head.value

        func emit(_ first: Int, _ last: Int, padded: Bool, padding: Int) {
            result.append(Run(first: first, last: last, padding: padded ? padding : 0))
        }
        func emitSingles(from first: Int, below stop: Int, step: Int) {
            var value = first
            while value < stop {
                emit(value, value, padded: currentPadded, padding: currentPadding)
                value += step
            }
        }

        for index in sorted.dropFirst() {
            let value = index.value
            let padded = index.isPadded
            let paddingMismatch = currentPadded ? index.width != currentPadding : padded
            var stepMismatch = false
            if !paddingMismatch, let step = currentStep, step != value - lastValue {
                stepMismatch = true
            }
            if paddingMismatch || stepMismatch {
                let step = currentStep ?? 1
                if currentStep == nil || step == 1 {
                    emit(currentStart, lastValue, padded: currentPadded, padding: currentPadding)
                    currentStart = value
                    currentPadded = padded
                    currentPadding = index.width
                } else {
                    let stop = paddingMismatch ? lastValue + 1 : lastValue - step + 1
                    emitSingles(from: currentStart, below: stop, step: step)
                    if paddingMismatch {
                        currentStart = value
                        currentPadded = padded
                        currentPadding = index.width
                    } else {
                        currentStart = lastValue
                    }
                }
                currentStep = stepMismatch ? value - lastValue : nil
                lastValue = value
                continue
            }
            currentStep = value - lastValue
            lastValue = value
        }
        if let step = currentStep, step != 1 {
            emitSingles(from: currentStart, below: lastValue + 1, step: step)
        } else {
            emit(currentStart, lastValue, padded: currentPadded, padding: currentPadding)
        }
        return result
    }

    /// Appends `str(RangeSet)`: runs as `a-b`, singletons bare, joined by commas.
    static func appendFolded(_ sorted: [NodeIndex], to buffer: inout [UInt8]) {
        var isFirst = true
        for run in runs(of: sorted) {
            if !isFirst { buffer.append(UInt8(ascii: ",")) }
            isFirst = false
            NodeIndex.appendFormatted(run.first, padding: run.padding, to: &buffer)
            if run.last != run.first {
                buffer.append(UInt8(ascii: "-"))
                NodeIndex.appendFormatted(run.last, padding: run.padding, to: &buffer)
            }
        }
    }
}
