import Logging
/// Placeholder; replaced by the locks implementation.
enum SpicerackLocksPlaceholder {}
