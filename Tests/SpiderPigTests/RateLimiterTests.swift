import Foundation
import Testing

@testable import SpiderPig

/// The per-IP limit on logins and second-factor attempts.
struct RateLimiterTests {
    @Test func theLimitHoldsPerKeyAndSlides() async {
        let limiter = RateLimiter(limit: 3, window: 60)
        let start = Date(timeIntervalSince1970: 1000)
        var allowed: [Bool] = []
        for offset in 0..<4 { allowed.append(await limiter.allow("10.0.0.1", now: start.addingTimeInterval(Double(offset)))) }
        #expect(allowed == [true, true, true, false])
        #expect(await limiter.allow("10.0.0.2", now: start))
        #expect(await limiter.allow("10.0.0.1", now: start.addingTimeInterval(61)))
    }
}
