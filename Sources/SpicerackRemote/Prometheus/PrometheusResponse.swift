import Foundation

/// The JSON envelope of Prometheus's `/api/v1/query`:
/// `{"status": "success", "data": {"resultType": "vector", "result": [...]}}` or
/// `{"status": "error", "errorType": "bad_data", "error": "..."}`.
struct PrometheusResponse: Decodable {
    var status: String
    var data: ResultData?
    var errorType: String?
    var error: String?

    struct ResultData: Decodable {
        var resultType: String
        var result: Result

        enum CodingKeys: String, CodingKey {
            case resultType, result
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            resultType = try container.decode(String.self, forKey: .resultType)
            switch resultType {
            case "vector":
                result = .vector(try container.decode([Series].self, forKey: .result))
            case "scalar":
                result = .scalar(try container.decode(Point.self, forKey: .result))
            case "matrix":
                result = .matrix(try container.decode([RangeSeries].self, forKey: .result))
            default:
                result = .unsupported
            }
        }
    }

    enum Result {
        case vector([Series])
        case scalar(Point)
        case matrix([RangeSeries])
        case unsupported
    }

    /// One series of a vector: `{"metric": {...}, "value": [1435781451.781, "1"]}`.
    struct Series: Decodable {
        var metric: [String: String]
        var value: Point
    }

    /// One series of a range query: `{"metric": {...}, "values": [[1435781430.781, "1"], ...]}`.
    struct RangeSeries: Decodable {
        var metric: [String: String]
        var values: [Point]
    }

    /// `[<unix time>, "<value>"]`, the value a string so that `NaN` and `+Inf` survive JSON.
    struct Point: Decodable {
        var time: Double
        var value: Double

        init(from decoder: any Decoder) throws {
            var container = try decoder.unkeyedContainer()
            time = try container.decode(Double.self)
            let text = try container.decode(String.self)
            guard let value = Double(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "the sample value '\(text)' is not a number")
            }
            self.value = value
        }
    }
}
