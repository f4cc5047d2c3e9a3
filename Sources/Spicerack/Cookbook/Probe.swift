import Cumin
import NodeSet

public func probeFramework() -> String { "framework ok: " + String(describing: NodeSet.self) }
