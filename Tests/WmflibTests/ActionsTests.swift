import Logging
import TestSupport
import Testing

@testable import Wmflib

@Suite struct ActionsTests {
    @Test func statusIsTheWorstResult() {
        var actions = Actions("host1001", logger: LogRecorder().logger())
        #expect(actions.status == .pass)
        actions.success("ok")
        #expect(actions.status == .pass)
        actions.warning("odd")
        #expect(actions.status == .warn)
        actions.failure("bad")
        actions.success("ok again")
        #expect(actions.status == .fail)
        #expect(actions.hasWarnings && actions.hasFailures)
    }

    @Test func descriptionAndLogging() {
        let log = LogRecorder()
        var actions = Actions("host1001", logger: log.logger())
        actions.success("Downtimed on Icinga")
        actions.success("Restarted ntp")
        #expect(actions.description == "host1001 (**PASS**)\n  - Downtimed on Icinga\n  - Restarted ntp")
        #expect(Actions("host1002").description == "host1002 (**PASS**)\n")
        actions.warning("w")
        actions.failure("f")
        #expect(log.records.map(\.level) == [.info, .info, .warning, .error])
        #expect(log.messages == ["Downtimed on Icinga", "Restarted ntp", "w", "f"])
    }

    @Test func dictionaryDescription() {
        var actions = ActionsDict(logger: LogRecorder().logger())
        #expect(actions.description == "")
        actions["host2001"].warning("//Host with alerts on Icinga//")
        actions["host1001"].success("Downtimed on Icinga")
        actions["host1001"].failure("**Failed to restart ntp**")
        #expect(actions.names == ["host2001", "host1001"])
        #expect(
            actions.description == """
                - host2001 (**WARN**)
                  - //Host with alerts on Icinga//

                - host1001 (**FAIL**)
                  - Downtimed on Icinga
                  - **Failed to restart ntp**

                """)
    }

    @Test func readingAMissingNameDoesNotStoreIt() {
        let actions = ActionsDict(logger: LogRecorder().logger())
        #expect(actions["host1001"].status == .pass)
        #expect(actions.isEmpty)
    }
}
