// In-process fold timing of our NodeSet library (the Swift counterpart of fold_py.py `time`).
// Built by bench/run.sh against the NodeSet module of the release build (same object code as the
// `nodeset` CLI). usage: fold-micro FILE [REPS]
// Reads one name per line (reading excluded from the timing), then times, REPS times each:
//   literal: NodeSet(nodes: names).description        (names taken as literal node names)
//   parsed:  union of try NodeSet(name) for each name  (each name parsed as an expression, like
//            ClusterShell's NodeSet.fromlist and like `nodeset -f` does with its inputs)
// Prints one JSON line (wall and process-CPU medians); writes the folded string to FILE.swift for the equality check.
import NodeSet

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

func clock(_ id: clockid_t) -> Double {
    var ts = timespec()
    clock_gettime(id, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Runs `body` and returns (wall seconds, CPU seconds of this process).
func timed(_ body: () -> Void) -> (wall: Double, cpu: Double) {
    let w = clock(CLOCK_MONOTONIC)
    let c = clock(CLOCK_PROCESS_CPUTIME_ID)
    body()
    return (clock(CLOCK_MONOTONIC) - w, clock(CLOCK_PROCESS_CPUTIME_ID) - c)
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

func fmt(_ x: Double) -> String {
    let micro = Int((x * 1e6).rounded())
    let whole = micro / 1_000_000
    let frac = String(micro % 1_000_000)
    return "\(whole)." + String(repeating: "0", count: 6 - frac.count) + frac
}

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    fputs("usage: fold-micro FILE [REPS]\n", stderr)
    exit(2)
}
let path = arguments[1]
let reps = arguments.count > 2 ? max(1, Int(arguments[2]) ?? 3) : 3

guard let file = fopen(path, "r") else {
    fputs("fold-micro: cannot open \(path)\n", stderr)
    exit(1)
}
var names: [String] = []
var line: UnsafeMutablePointer<CChar>? = nil
var capacity = 0
while getline(&line, &capacity, file) > 0 {
    var name = String(cString: line!)
    while let last = name.last, last.isWhitespace { name.removeLast() }
    if !name.isEmpty { names.append(name) }
}
fclose(file)

var literalRuns: [(wall: Double, cpu: Double)] = []
var folded = ""
for _ in 0..<reps {
    literalRuns.append(timed { folded = NodeSet(nodes: names).description })
}
var parsedRuns: [(wall: Double, cpu: Double)] = []
var parsedFolded = ""
for _ in 0..<reps {
    parsedRuns.append(
        timed {
            var set = NodeSet()
            for name in names { set.formUnion(try! NodeSet(name)) }
            parsedFolded = set.description
        })
}
if let out = fopen(path + ".swift", "w") {
    fputs(folded + "\n", out)
    fclose(out)
}
let same = folded == parsedFolded
print(
    "{\"tool\": \"swift-inproc\", \"names\": \(names.count), \"reps\": \(reps), "
        + "\"literal_median_s\": \(fmt(median(literalRuns.map(\.wall)))), "
        + "\"literal_min_s\": \(fmt(literalRuns.map(\.wall).min()!)), "
        + "\"literal_cpu_median_s\": \(fmt(median(literalRuns.map(\.cpu)))), "
        + "\"parsed_median_s\": \(fmt(median(parsedRuns.map(\.wall)))), "
        + "\"parsed_min_s\": \(fmt(parsedRuns.map(\.wall).min()!)), "
        + "\"parsed_cpu_median_s\": \(fmt(median(parsedRuns.map(\.cpu)))), "
        + "\"literal_equals_parsed\": \(same)}")
