/// The root of the errors of Spicerack's clients: each module (conftool, discovery, Alertmanager, Puppet,
/// load-balanced clusters) throws one error type that conforms, and so does the Spicerack module's own
/// `SpicerackError`, so that `catch let error as any SpicerackRootError` catches them all.
public protocol SpicerackRootError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, in words a user can act on.
    var message: String { get }
}
