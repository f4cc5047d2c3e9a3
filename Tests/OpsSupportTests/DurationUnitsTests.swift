import OpsSupport
import Testing

@Suite struct DurationUnitsTests {
    @Test func secondsKeepTheFraction() {
        #expect(Duration.milliseconds(1500).inSeconds == 1.5)
        #expect(Duration.seconds(-2).inSeconds == -2)
        #expect(Duration.microseconds(250).inSeconds == 0.00025)
    }

    @Test func millisecondsAndNanosecondsTruncateAndClamp() {
        #expect(Duration.milliseconds(2999).inMilliseconds == 2999)
        #expect(Duration.microseconds(2999).inMilliseconds == 2)
        #expect(Duration.nanoseconds(1_500).inNanoseconds == 1_500)
        #expect(Duration.seconds(Int64.max).inMilliseconds == Int64.max)
        #expect(Duration.seconds(Int64.min).inNanoseconds == Int64.min)
    }

    @Test func wholeSeconds() {
        #expect(Duration.milliseconds(2900).wholeSeconds == 2)
        #expect(Duration.milliseconds(2100).wholeSecondsRoundedUp == 3)
        #expect(Duration.milliseconds(10).wholeSecondsRoundedUp == 1)
        #expect(Duration.zero.wholeSecondsRoundedUp == 1)
    }

    @Test func fromSecondsRoundsToTheMillisecond() {
        #expect(Duration.seconds(rounding: 1.2345) == .milliseconds(1235))
        #expect(Duration.seconds(rounding: .nan) == .zero)
        #expect(Duration.seconds(rounding: .infinity) == .milliseconds(Int64.max))
    }
}
