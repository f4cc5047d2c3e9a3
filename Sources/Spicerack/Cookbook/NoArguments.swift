import ArgumentParser

/// The arguments of a cookbook that takes none: any argument is an error (exit code 2), `-h` shows the help.
public struct NoArguments: ParsableArguments {
    public init() {}
}
