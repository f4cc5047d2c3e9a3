import Cumin
/// Placeholder; replaced by the remote implementation.
enum SpicerackRemotePlaceholder {}
