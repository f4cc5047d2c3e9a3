import Cumin
import NIOCore
import NIOSSH

/// Offers the in-process keys one after the other; gives up (failing the promise) when the server refused them all.
final class KeyAuthenticationDelegate: NIOSSHClientUserAuthenticationDelegate, @unchecked Sendable {
    // Only touched on the connection's event loop.
    private var keys: [NIOSSHPrivateKey]
    private let user: String

    init(user: String, keys: [NIOSSHPrivateKey]) {
        self.user = user
        self.keys = keys
    }

    func nextAuthenticationType(
        availableMethods: NIOSSHAvailableUserAuthenticationMethods,
        nextChallengePromise: EventLoopPromise<NIOSSHUserAuthenticationOffer?>
    ) {
        guard availableMethods.contains(.publicKey), !keys.isEmpty else {
            nextChallengePromise.fail(NativeSSHFailure.authentication)
            return
        }
        let key = keys.removeFirst()
        nextChallengePromise.succeed(
            NIOSSHUserAuthenticationOffer(username: user, serviceName: "", offer: .privateKey(.init(privateKey: key))))
    }
}

/// Checks the server's host key with a closure (known_hosts and StrictHostKeyChecking, see ``HostKeyPolicy``).
final class HostKeyDelegate: NIOSSHClientServerAuthenticationDelegate, Sendable {
    private let check: @Sendable (NIOSSHPublicKey) -> NativeSSHFailure?

    init(check: @escaping @Sendable (NIOSSHPublicKey) -> NativeSSHFailure?) {
        self.check = check
    }

    func validateHostKey(hostKey: NIOSSHPublicKey, validationCompletePromise: EventLoopPromise<Void>) {
        if let failure = check(hostKey) {
            validationCompletePromise.fail(failure)
        } else {
            validationCompletePromise.succeed(())
        }
    }
}

/// Sits after the SSH handler on the connection: completes `ready` once authenticated, fails it with the first
/// error (or when the connection closes first), and closes the connection on any error.
/// Starts the connection's keepalives, if any, once authenticated.
final class ConnectionStateHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = Any
    private let ready: EventLoopPromise<Void>
    private let keepalive: KeepaliveHandler?
    private var firstError: (any Error)?

    init(ready: EventLoopPromise<Void>, keepalive: KeepaliveHandler? = nil) {
        self.ready = ready
        self.keepalive = keepalive
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is UserAuthSuccessEvent {
            ready.succeed(())
            keepalive?.start()
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if firstError == nil { firstError = error }
        ready.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        ready.fail(firstError ?? NativeSSHFailure.closed)
        context.fireChannelInactive()
    }
}

/// OpenSSH's `ServerAliveInterval`/`ServerAliveCountMax` on a native connection: first in the pipeline, it sees
/// every byte the server sends. At each interval in which nothing arrived it asks the server for an answer (a global
/// request with want-reply; any answer, even a refusal, is traffic); when `countMax` requests in a row went
/// unanswered it calls `giveUp` and closes the connection, failing the commands on it.
final class KeepaliveHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    // Only touched on the connection's event loop.
    private let interval: TimeAmount
    private let countMax: Int
    private let giveUp: @Sendable () -> Void
    private var context: ChannelHandlerContext?
    private var timer: RepeatedTask?
    private var heard = false
    private var unanswered = 0

    init(interval: TimeAmount, countMax: Int, giveUp: @escaping @Sendable () -> Void) {
        self.interval = interval
        self.countMax = countMax
        self.giveUp = giveUp
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        self.context = nil
    }

    /// Begins the checks (after authentication: global requests need an active connection).
    func start() {
        guard timer == nil, let context else { return }
        // Runs on the connection's event loop, where everything else of this handler runs.
        timer = context.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) {
            [weak self] (_: RepeatedTask) in
            self?.tick()
        }
    }

    private func tick() {
        guard let context else { return }
        if heard {
            heard = false
            unanswered = 0
            return
        }
        if unanswered >= countMax {
            timer?.cancel()
            timer = nil
            giveUp()
            context.close(promise: nil)
            return
        }
        unanswered += 1
        guard let ssh = try? context.pipeline.syncOperations.handler(type: NIOSSHHandler.self) else { return }
        // Cancelling a forwarding that does not exist: every server answers it (with a refusal) and changes nothing.
        // NIOSSH offers no other public global request.
        ssh.sendTCPForwardingRequest(.cancel(host: "127.0.0.1", port: 0), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        heard = true
        unanswered = 0
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }
}

/// What one command's channel produced.
struct ChannelOutcome: Sendable {
    var exitStatus: Int?
    var exitSignal: String?
    var refused = false
}

/// Runs one command on a session channel: sends `exec`, closes stdin, collects stdout/stderr (bounded) and the
/// exit status or signal; completes `done` when the channel closes.
final class ExecHandler: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = SSHChannelData
    typealias OutboundIn = SSHChannelData
    typealias OutboundOut = SSHChannelData

    private let command: String
    private let environment: [(String, String)]
    private let collector: OutputCollector
    private let live: OutputHandler?
    private let done: EventLoopPromise<ChannelOutcome>
    private var outcome = ChannelOutcome()

    init(
        command: String, environment: [(String, String)], collector: OutputCollector, live: OutputHandler?,
        done: EventLoopPromise<ChannelOutcome>
    ) {
        self.command = command
        self.environment = environment
        self.collector = collector
        self.live = live
        self.done = done
    }

    func handlerAdded(context: ChannelHandlerContext) {
        _ = context.channel.setOption(ChannelOptions.allowRemoteHalfClosure, value: true)
    }

    func channelActive(context: ChannelHandlerContext) {
        for (name, value) in environment {
            context.triggerUserOutboundEvent(
                SSHChannelRequestEvent.EnvironmentRequest(wantReply: false, name: name, value: value), promise: nil)
        }
        let request = SSHChannelRequestEvent.ExecRequest(command: command, wantReply: true)
        context.triggerUserOutboundEvent(request).assumeIsolated().whenComplete { result in
            switch result {
            case .success:
                // No standard input: send EOF at once.
                context.close(mode: .output, promise: nil)
            case .failure:
                context.close(promise: nil)
            }
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let message = unwrapInboundIn(data)
        guard case .byteBuffer(let buffer) = message.data else { return }
        let bytes = Array(buffer.readableBytesView)
        let stream: OutputStream
        switch message.type {
        case .channel: stream = .stdout
        case .stdErr: stream = .stderr
        default: return
        }
        collector.append(bytes, from: stream)
        live?(bytes, stream)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case let status as SSHChannelRequestEvent.ExitStatus:
            outcome.exitStatus = status.exitStatus
        case let signal as SSHChannelRequestEvent.ExitSignal:
            outcome.exitSignal = signal.signalName
        case is ChannelFailureEvent:
            outcome.refused = true
            context.close(promise: nil)
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        done.succeed(outcome)
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        done.succeed(outcome)
    }
}
