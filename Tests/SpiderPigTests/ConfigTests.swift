import Testing

@testable import SpiderPig

/// The YAML configuration: keys read into their fields, mistakes reported with file, line and key.
struct ConfigTests {
    @Test func keysAreRead() throws {
        let config = try SpiderPigConfig.parse(
            """
            listen_port: 9000
            public_url: https://deploy.example.org
            ready_timeout: 120
            oidc:
              issuer: https://idp.example.org
              groups_claim: memberOf
            roles:
              deployer: [deployers, ops]
              admin: [sre]
            repositories:
              web: /srv/deployment/web
            scap:
              binary: /usr/local/bin/scap
              extra_arguments: [--lock-timeout, "30"]
            """, file: "spiderpig.yaml")
        #expect(config.listenPort == 9000)
        #expect(config.readyTimeout == 120)
        #expect(config.oidc.groupsClaim == "memberOf")
        #expect(config.roles.deployer == ["deployers", "ops"])
        #expect(config.repositories == ["web": "/srv/deployment/web"])
        #expect(config.scap.extraArguments == ["--lock-timeout", "30"])
    }

    @Test func anUnknownKeyNamesFileLineAndKey() {
        #expect(throws: ConfigError(file: "spiderpig.yaml", line: 3, message: "unknown key 'oidc.client'")) {
            try SpiderPigConfig.parse("oidc:\n  issuer: https://idp\n  client: x\n", file: "spiderpig.yaml")
        }
        #expect(throws: ConfigError(file: "c.yaml", line: 2, message: "unknown key 'listen_prot'")) {
            try SpiderPigConfig.parse("oidc: {issuer: x}\nlisten_prot: 80\n", file: "c.yaml")
        }
    }

    @Test func aWrongValueIsNamed() {
        #expect(throws: ConfigError(file: "c.yaml", line: 2, message: "listen_port: expected a whole number in 0...65535")) {
            try SpiderPigConfig.parse("oidc: {issuer: x}\nlisten_port: http\n", file: "c.yaml")
        }
        #expect(throws: ConfigError(file: "c.yaml", line: nil, message: "oidc.issuer is required")) {
            try SpiderPigConfig.parse("listen_port: 80\n", file: "c.yaml")
        }
    }

    @Test func revisionsThatCouldBeOptionsAreRefused() {
        #expect(JobRunner.isSafeRevision("wmf/1.44.0-wmf.3"))
        #expect(JobRunner.isSafeRevision("a1b2c3d"))
        #expect(!JobRunner.isSafeRevision("--force"))
        #expect(!JobRunner.isSafeRevision("HEAD; rm -rf /"))
        #expect(JobRunner.oneLine("a\nb\u{1b}[31mc", limit: 100) == "a b [31mc")
    }
}
