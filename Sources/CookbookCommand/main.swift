import CookbookBuild
import Foundation
import Spicerack

// `cookbook`: lists from the index, or compiles the tree when it changed and execs the compiled runner.
let arguments = Array(CommandLine.arguments.dropFirst())
if CookbookCommandLine.handles(arguments) {
    CookbookCommandLine.main(arguments)
}
let code = await CookbookFrontEnd.run(arguments: arguments)
exit(code)
