import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The monitoring panel's data: each configured PromQL query over a time range, from Prometheus's
/// `query_range` API, as series of (time, value) points.
struct Monitoring {
    let baseURL: String
    let queries: [String: String]

    /// The series of every query from `start` to `end` (at most 240 points each).
    func series(start: Date, end: Date) async throws -> [[String: Any]] {
        var result: [[String: Any]] = []
        let step = max(1, Int((end.timeIntervalSince(start) / 240).rounded(.up)))
        for (name, query) in queries.sorted(by: { $0.key < $1.key }) {
            guard var components = URLComponents(string: baseURL + "/api/v1/query_range") else {
                throw JobActionError(500, "prometheus_url is not a URL")
            }
            components.queryItems = [
                URLQueryItem(name: "query", value: query),
                URLQueryItem(name: "start", value: String(start.timeIntervalSince1970)),
                URLQueryItem(name: "end", value: String(end.timeIntervalSince1970)),
                URLQueryItem(name: "step", value: "\(step)s"),
            ]
            guard let url = components.url else { throw JobActionError(500, "cannot build the Prometheus URL") }
            var request = URLRequest(url: url)
            request.timeoutInterval = 5
            let (data, response) = try await URLSession.shared.data(for: request)
            guard (response as? HTTPURLResponse)?.statusCode == 200,
                let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
                let payload = object["data"] as? [String: Any], let results = payload["result"] as? [[String: Any]]
            else { throw JobActionError(502, "Prometheus did not answer the query '\(name)'") }
            // The first series of the query (a panel query should aggregate to one).
            let values = (results.first?["values"] as? [[Any]]) ?? []
            let points: [[Double]] = values.compactMap { pair in
                guard pair.count == 2, let time = (pair[0] as? NSNumber)?.doubleValue,
                    let value = (pair[1] as? String).flatMap(Double.init), value.isFinite
                else { return nil }
                return [time, value]
            }
            result.append(["name": name, "points": points])
        }
        return result
    }
}
