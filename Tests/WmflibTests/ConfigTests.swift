import Foundation
import Testing

@testable import Wmflib

@Suite struct YAMLConfigTests {
    @Test func loadsTypedValues() throws {
        let path = try temporaryFile(
            """
            name: spicerack
            port: 8080
            ratio: 0.5
            enabled: true
            nothing: ~
            hosts: [a, b]
            nested:
              key: value
            defaults: &defaults
              x: 1
            copy: *defaults
            quoted: "123"
            """, suffix: ".yaml")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let config = try loadYAMLConfig(path)
        #expect(config["name"] == .string("spicerack"))
        #expect(config["port"] == .int(8080))
        #expect(config["ratio"] == .double(0.5))
        #expect(config["enabled"] == .bool(true))
        #expect(config["nothing"] == .null)
        #expect(config["hosts"] == .array([.string("a"), .string("b")]))
        #expect(config["nested"]?["key"]?.stringValue == "value")
        #expect(config["copy"] == .dictionary(["x": .int(1)]))
        #expect(config["quoted"] == .string("123"))
    }

    @Test func emptyFileIsAnEmptyDictionary() throws {
        let path = try temporaryFile("", suffix: ".yaml")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try loadYAMLConfig(path).isEmpty)
        let comments = try temporaryFile("# only a comment\n", suffix: ".yaml")
        defer { try? FileManager.default.removeItem(atPath: comments) }
        #expect(try loadYAMLConfig(comments).isEmpty)
    }

    @Test func syntaxErrorNamesFileLineAndColumn() throws {
        let path = try temporaryFile("a: 1\nb: [unclosed\nc: 3\n", suffix: ".yaml")
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try loadYAMLConfig(path)
            Issue.record("expected an error")
        } catch {
            #expect(error.message.hasPrefix("Could not load config file \(path):"))
            let location = error.message.dropFirst("Could not load config file \(path):".count)
            #expect(location.first?.isNumber == true, "line and column follow the path: \(error.message)")
        }
        #expect(try loadYAMLConfig(path, raises: false).isEmpty)
    }

    @Test func missingFile() throws {
        let path = "/nonexistent/wmflib-\(UUID().uuidString).yaml"
        #expect(throws: WmflibError.self) { try loadYAMLConfig(path) }
        #expect(try loadYAMLConfig(path, raises: false).isEmpty)
    }

    @Test func topLevelMustBeAMapping() throws {
        let path = try temporaryFile("- a\n- b\n", suffix: ".yaml")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: WmflibError("Could not load config file \(path):1:1: the top level must be a mapping")) {
            try loadYAMLConfig(path)
        }
    }
}

@Suite struct INIConfigTests {
    @Test func sectionsOptionsCommentsAndContinuations() throws {
        let config = try INIConfig(
            parsing: """
                # comment
                ; another comment
                [DEFAULT]
                timeout = 10

                [phabricator_bot]
                Host = https://phabricator.example.org/api/
                username: ops-bot
                token=abc = def
                description = first line
                    second line
                    # a comment inside the value

                    third line

                [other]
                timeout = 20
                empty =
                """)
        #expect(config.sectionNames == ["phabricator_bot", "other"])
        #expect(config["phabricator_bot", "host"] == "https://phabricator.example.org/api/")
        #expect(config["phabricator_bot", "HOST"] == "https://phabricator.example.org/api/")
        #expect(config["phabricator_bot", "username"] == "ops-bot")
        #expect(config["phabricator_bot", "token"] == "abc = def")
        #expect(config["phabricator_bot", "description"] == "first line\nsecond line\n\nthird line")
        #expect(config["phabricator_bot", "timeout"] == "10")
        #expect(config["other", "timeout"] == "20")
        #expect(config["other", "empty"] == "")
        #expect(config["missing", "timeout"] == nil)
        #expect(!config.hasSection("DEFAULT"))
        #expect(config.section("other") == ["timeout": "20", "empty": ""])
        #expect(config.defaults == ["timeout": "10"])
    }

    @Test func loadsFromFile() throws {
        let path = try temporaryFile("[s]\nk = v\n", suffix: ".ini")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try loadINIConfig(path)["s", "k"] == "v")
    }

    @Test func missingFile() throws {
        let path = "/nonexistent/wmflib-\(UUID().uuidString).ini"
        do {
            _ = try loadINIConfig(path)
            Issue.record("expected an error")
        } catch {
            #expect(error.message == "Could not load config file \(path): file not found or not readable")
        }
        #expect(try loadINIConfig(path, raises: false) == INIConfig())
    }

    @Test(arguments: [
        ("key = value\n", "x.ini:1: File contains no section headers: 'key = value'"),
        ("[a]\nk = 1\n[a]\n", "x.ini:3: section 'a' already exists"),
        ("[a]\nk = 1\nK: 2\n", "x.ini:3: option 'k' in section 'a' already exists"),
        ("[a]\nnot an option\n", "Source contains parsing errors:\nx.ini:2: cannot parse 'not an option': expected '[section]', 'key = value' or 'key: value'"),
    ])
    func errorsNameTheFileAndLine(text: String, message: String) throws {
        #expect(throws: WmflibError(message)) { try INIConfig(parsing: text, path: "x.ini") }
    }

    @Test func raisesFalseReturnsEmpty() throws {
        let path = try temporaryFile("[a]\n[a]\n", suffix: ".ini")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try loadINIConfig(path, raises: false) == INIConfig())
        #expect(throws: WmflibError("\(path):2: section 'a' already exists")) { try loadINIConfig(path) }
    }
}
