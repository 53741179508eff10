import Testing

@testable import TerminalUI

/// Bug: progress bars printed rates with no decimals, so a U-Net training at 0.4 steps a second showed
/// "0 steps/s" and one at 1.4 "1 steps/s".
@Suite struct StepRateTextTests {
    @Test func slowRatesKeepTheirDigits() {
        #expect(StepRateText.format(586.4) == "586 steps/s")
        #expect(StepRateText.format(10) == "10 steps/s")
        #expect(StepRateText.format(9.94) == "9.9 steps/s")
        #expect(StepRateText.format(1.4) == "1.4 steps/s")
        #expect(StepRateText.format(1) == "1.0 steps/s")
        #expect(StepRateText.format(0.4) == "2.5 s/step")
        #expect(StepRateText.format(0.05) == "20.0 s/step")
    }

    @Test func noRateYetReadsZero() {
        #expect(StepRateText.format(0) == "0 steps/s")
        #expect(StepRateText.format(-1) == "0 steps/s")
        #expect(StepRateText.format(.nan) == "0 steps/s")
        #expect(StepRateText.format(.infinity) == "0 steps/s")
    }
}
