import SpicerackRemote
import Testing

@Suite struct ReasonTests {
    @Test func describesReasonOwnerAndTask() throws {
        let reason = try Reason(reason: "Rebooting for kernel", username: "alice", hostname: "vm", taskID: "T12345")
        #expect(reason.description == "Rebooting for kernel - alice@vm - T12345")
        #expect(reason.quoted() == "\"Rebooting for kernel - alice@vm - T12345\"")
        #expect(reason.owner == "alice@vm")
    }

    @Test func withoutTaskTheLastPartIsLeftOut() throws {
        #expect(
            try Reason(reason: "Maintenance", username: "bob", hostname: "cumin1001").description
                == "Maintenance - bob@cumin1001")
        #expect(
            try Reason(reason: "Maintenance", username: "bob", hostname: "h", taskID: "").description
                == "Maintenance - bob@h")
    }

    @Test func doubleQuotesAreRejected() throws {
        let error = try #require(throws: ReasonError.self) {
            try Reason(reason: "say \"hi\"", username: "alice", hostname: "vm")
        }
        #expect(error.property == "reason")
        #expect(
            error.description == "Invalid administrative reason: the reason must not contain double quotes: say \"hi\"")
        #expect(throws: ReasonError.self) { try Reason(reason: "ok", username: "a\"b", hostname: "vm") }
        #expect(throws: ReasonError.self) { try Reason(reason: "  ", username: "alice", hostname: "vm") }
    }
}
