import Testing

@testable import Workbench

/// Known answers of the order-statistics interval for the median (binomial coverage).
@Suite struct MedianIntervalTests {
    @Test func fifteenRoundsGiveTheFourthToTwelfthValues() throws {
        let values = (1...15).map { Double($0) }.shuffled()
        let interval = try #require(MedianInterval(values))
        #expect(interval.low == 4 && interval.high == 12)
        // 1 - 2 * P(B(15, 1/2) <= 3) = 1 - 2 * 576 / 32768.
        #expect(abs(interval.coverage - (1 - 2 * 576.0 / 32768)) < 1e-12)
    }

    @Test func fewRoundsGiveTheRangeWithItsLowerCoverage() throws {
        let seven = try #require(MedianInterval([0.03, -0.01, 0.02, 0.04, 0.0, 0.01, 0.09]))
        #expect(seven.low == -0.01 && seven.high == 0.09 && abs(seven.coverage - (1 - 2.0 / 128)) < 1e-12)
        let five = try #require(MedianInterval([1, 2, 3, 4, 5]))
        #expect(five.low == 1 && five.high == 5 && abs(five.coverage - 0.9375) < 1e-12)
        #expect(MedianInterval([]) == nil)
    }

    @Test func theVerdictNeedsTheWholeIntervalOnOneSide() throws {
        #expect(try #require(MedianInterval([0.01, 0.02, 0.03, 0.04, 0.045])).verdict(target: 0.05) == "within the target")
        #expect(try #require(MedianInterval([0.06, 0.07, 0.08, 0.09, 0.1])).verdict(target: 0.05) == "above the target")
        #expect(try #require(MedianInterval([0.01, 0.02, 0.03, 0.06, 0.1])).verdict(target: 0.05).hasPrefix("not decided"))
    }
}
