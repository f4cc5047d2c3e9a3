import CuminNativeSSH
import Foundation
import Testing

@Suite struct SSHConfigTests {
    @Test func hostPatternsFirstValueWinsAndTokens() throws {
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/ssh_config"
        try """
            Host web* !web9
              HostName %h.example.org
              Port 2200
            Host jump-*
              ProxyJump bastion
            Host *
              User deploy
              Port 22
              IdentityFile ~/.ssh/id_test
              StrictHostKeyChecking accept-new
              UserKnownHostsFile %d/kh1 %d/kh2
            """.write(toFile: file, atomically: true, encoding: .utf8)
        let config = SSHConfig(sshOptions: ["-F", file, "-oUser=root"], home: "/home/u", localUser: "u")
        let web1 = config.resolve(host: "web1")
        #expect(web1.hostName == "web1.example.org")
        #expect(web1.port == 2200)
        #expect(web1.user == "root")
        #expect(web1.identityFiles == ["/home/u/.ssh/id_test"])
        #expect(web1.strictHostKeyChecking == .acceptNew)
        #expect(web1.userKnownHostsFiles == ["/home/u/kh1", "/home/u/kh2"])
        #expect(web1.fallbackReason == nil)
        let web9 = config.resolve(host: "web9")
        #expect(web9.hostName == "web9")
        #expect(web9.port == 22)
        #expect(config.resolve(host: "jump-1").fallbackReason == "ProxyJump")
        #expect(SSHConfig(sshOptions: ["-F", file, "-J", "x"]).resolve(host: "web1").fallbackReason == "ssh option -J")
    }
}
