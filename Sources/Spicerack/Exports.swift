// `import Spicerack` is all a cookbook needs: the framework re-exports the libraries it hands out.
@_exported import ArgumentParser
@_exported import Cumin
@_exported import Logging
@_exported import NodeSet
@_exported import SpicerackLocks
@_exported import Wmflib
@_exported import SpicerackRemote
@_exported import SpicerackClients
