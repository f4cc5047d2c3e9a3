import Cumin
import Testing

@testable import SpicerackRemote

/// When progress bars are drawn (they are only observable through the style a run picks).
@Suite struct RemoteOutputTests {
    @Test func progressBarsOnlyOnATerminalAndWhenWanted() {
        let terminal = RemoteOutput(console: .memory(), stderrIsTerminal: true)
        #expect(terminal.progressStyle(printProgressBars: true) == .bars)
        #expect(terminal.progressStyle(printProgressBars: false) == .off)
        let pipe = RemoteOutput(console: .memory())
        #expect(!pipe.stderrIsTerminal)
        #expect(pipe.progressStyle(printProgressBars: true) == .off)
    }

    @Test func colorsFollowStandardOutputUnlessGiven() {
        #expect(RemoteOutput(console: .memory()).colors == Colors(enabled: false))
        #expect(RemoteOutput(console: .memory(), stdoutIsTerminal: true).colors == Colors(enabled: true))
        #expect(
            RemoteOutput(console: .memory(), stdoutIsTerminal: true, colors: Colors(enabled: false)).colors.enabled
                == false)
        #expect(RemoteOutput.standard(environment: ["NO_COLOR": "1"]).colors.enabled == false)
    }
}
