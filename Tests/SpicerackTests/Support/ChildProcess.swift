import TestBed

/// The child processes of these tests: TestBed's ``RunningProcess``.
typealias ChildProcess = RunningProcess
