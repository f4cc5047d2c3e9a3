/// The cookbook tree most runner tests share (built once per test process): one cookbook per behaviour of the
/// lifecycle, mirroring a tree run against Spicerack 14.0.0.
enum DemoTree {
    static let files: [String: String] = [
        "_group.yaml": "title: Demo cookbooks root.\nowner_team: research-team\n",
        "demo/_group.yaml": "title: Demo cookbooks for the research report.\n",
        "demo/group/_group.yaml": "title: Nested group title\n",
        "_shared.swift": #"""
            import Spicerack

            /// A helper shared by the tree (files starting with _ are not cookbooks).
            func greeting(_ name: String) -> String { "Hello \(name)" }

            struct DemoError: Error, CustomStringConvertible {
                var message: String
                var description: String { message }
            }
            """#,
        "demo/hello.swift": #"""
            import ArgumentParser
            import Spicerack

            struct Hello: SimpleCookbook {
                static let title = "Module API cookbook that says hello."
                struct Arguments: ParsableArguments {
                    @Option(help: "Who to greet.") var name = "world"
                }
                func run(_ arguments: Arguments, _ spicerack: Spicerack) async throws -> Int32? {
                    print("\(greeting(arguments.name)) (dry_run=\(spicerack.dryRun), verbose=\(spicerack.verbose))")
                    spicerack.logger.debug("A debug line")
                    spicerack.logger.warning("A warning line")
                    return nil
                }
            }
            """#,
        "demo/fails.swift": #"""
            import Spicerack

            struct Fails: SimpleCookbook {
                static let title = "Cookbook that fails with exit code 5."
                func run(_ arguments: NoArguments, _ spicerack: Spicerack) async throws -> Int32? {
                    spicerack.logger.info("About to fail")
                    return 5
                }
            }
            """#,
        "demo/raises.swift": #"""
            import Spicerack

            struct Raises: SimpleCookbook {
                static let title = "Cookbook that throws."
                func run(_ arguments: NoArguments, _ spicerack: Spicerack) async throws -> Int32? {
                    throw DemoError(message: "boom from cookbook")
                }
            }
            """#,
        "demo/sysexit.swift": #"""
            import Spicerack

            struct SysExit: SimpleCookbook {
                static let title = "Cookbook ending with CookbookExit(7)."
                func run(_ arguments: NoArguments, _ spicerack: Spicerack) async throws -> Int32? {
                    throw CookbookExit(7)
                }
            }
            """#,
        "demo/classy.swift": #"""
            import ArgumentParser
            import Spicerack

            struct Classy: Cookbook {
                static let title = "Class API cookbook with rollback."
                static let ownerTeam: String? = "class-owners"
                struct Arguments: ParsableArguments {
                    @OptionGroup var task: OptionalTaskID
                    @OptionGroup var reason: OptionalReason
                    @Flag var fail = false
                    @Flag var raiseInRollback = false
                    @Flag var raiseInRun = false
                    @Flag var skipSal = false
                }
                func makeRunner(_ arguments: Arguments, _ spicerack: Spicerack) async throws -> Runner {
                    Runner(arguments: arguments, spicerack: spicerack)
                }
                struct Runner: CookbookRunner {
                    let arguments: Arguments
                    let spicerack: Spicerack
                    var runtimeDescription: String {
                        "for reason=\(arguments.reason.reason.map { "'\($0)'" } ?? "None") task='\(arguments.task.taskID)'"
                    }
                    var skipStartSAL: Bool { arguments.skipSal }
                    func run() async throws -> Int32? {
                        if arguments.raiseInRun { throw DemoError(message: "boom in run") }
                        return arguments.fail ? 3 : 0
                    }
                    func rollback() async throws {
                        spicerack.logger.info("Rollback called")
                        if arguments.raiseInRollback { throw DemoError(message: "rollback exploded") }
                    }
                }
            }
            """#,
        "demo/initfail.swift": #"""
            import Spicerack

            struct InitFail: Cookbook {
                static let title = "Cookbook whose validation fails."
                func makeRunner(_ arguments: NoArguments, _ spicerack: Spicerack) async throws -> Classy.Runner {
                    throw DemoError(message: "bad init")
                }
            }
            """#,
        "demo/initsuccess.swift": #"""
            import Spicerack

            struct InitSuccess: Cookbook {
                static let title = "Cookbook with nothing to do."
                func makeRunner(_ arguments: NoArguments, _ spicerack: Spicerack) async throws -> Classy.Runner {
                    throw CookbookInitSuccess("Nothing to do, all hosts are already up to date")
                }
            }
            """#,
        "demo/slow.swift": #"""
            import Spicerack

            struct Slow: Cookbook {
                static let title = "Cookbook that sleeps (for Ctrl+C testing)."
                func makeRunner(_ arguments: NoArguments, _ spicerack: Spicerack) async throws -> Runner {
                    Runner(spicerack: spicerack)
                }
                struct Runner: CookbookRunner {
                    let spicerack: Spicerack
                    func run() async throws -> Int32? {
                        spicerack.logger.info("Sleeping")
                        try await Task.sleep(for: .seconds(60))
                        return 0
                    }
                    func rollback() async throws {
                        try await Task.sleep(for: .milliseconds(10))
                        spicerack.logger.info("Rolled back after interruption")
                    }
                }
            }
            """#,
        "demo/multi.swift": #"""
            import Spicerack

            struct First: SimpleCookbook {
                static let title = "First cookbook of a file."
                func run(_ arguments: NoArguments, _ spicerack: Spicerack) async throws -> Int32? { nil }
            }

            struct Second: SimpleCookbook {
                static let title = "Second cookbook of a file."
                func run(_ arguments: NoArguments, _ spicerack: Spicerack) async throws -> Int32? { nil }
            }
            """#,
        "demo/wrapper.swift": #"""
            import Spicerack

            struct Wrapper: SimpleCookbook {
                static let title = "Runs other cookbooks."
                func run(_ arguments: NoArguments, _ spicerack: Spicerack) async throws -> Int32? {
                    let first = try await spicerack.runCookbook("demo.hello", arguments: ["--name", "Nested"])
                    let second = try await spicerack.runCookbook("demo.fails")
                    spicerack.logger.info("nested exit codes \(first) \(second)")
                    return nil
                }
            }
            """#,
        "demo/announce.swift": #"""
            import Spicerack

            struct Announce: SimpleCookbook {
                static let title = "Logs to IRC and SAL."
                func run(_ arguments: NoArguments, _ spicerack: Spicerack) async throws -> Int32? {
                    spicerack.ircLogger.info("plain IRC message")
                    spicerack.salLogger.info("SAL message")
                    return nil
                }
            }
            """#,
        "demo/confirm.swift": #"""
            import Spicerack

            struct Confirm: SimpleCookbook {
                static let title = "Cookbook asking for confirmation."
                func run(_ arguments: NoArguments, _ spicerack: Spicerack) async throws -> Int32? {
                    try spicerack.interactive.askConfirmation("Ready to do the thing?")
                    return nil
                }
            }
            """#,
        "demo/exclusive.swift": #"""
            import Spicerack

            struct Exclusive: SimpleCookbook {
                static let title = "Holds its lock alone until interrupted."
                static let maxConcurrency = 1
                static let lockTTL: Duration = .seconds(60)
                func run(_ arguments: NoArguments, _ spicerack: Spicerack) async throws -> Int32? {
                    spicerack.logger.info("Holding the lock")
                    try await Task.sleep(for: .seconds(90))
                    return nil
                }
            }
            """#,
        "demo/retrying.swift": #"""
            import Spicerack

            struct Retrying: SimpleCookbook {
                static let title = "Retries a failing step."
                func run(_ arguments: NoArguments, _ spicerack: Spicerack) async throws -> Int32? {
                    try await spicerack.retry(tries: 3, delay: .milliseconds(10), backoff: .constant, failureMessage: "Not ready") {
                        throw DemoError(message: "still down")
                    }
                    return nil
                }
            }
            """#,
        "demo/group/inner.swift": #"""
            import Spicerack

            struct Inner: SimpleCookbook {
                static let title = "Inner cookbook in a nested group."
                func run(_ arguments: NoArguments, _ spicerack: Spicerack) async throws -> Int32? {
                    print("inner ran")
                    return nil
                }
            }
            """#,
        "other/broken.swift": #"""
            import Spicerack

            struct Broken: SimpleCookbook {
                static let title = "Does not compile."
                func run(_ arguments: NoArguments, _ spicerack: Spicerack) async throws -> Int32? {
                    return undefinedThing
                }
            }
            """#,
        "other/notacookbook.swift": #"""
            import Spicerack

            func helperWithoutUnderscore() {}
            """#,
    ]
}
