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
final class ConnectionStateHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = Any
    private let ready: EventLoopPromise<Void>
    private var firstError: (any Error)?

    init(ready: EventLoopPromise<Void>) {
        self.ready = ready
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is UserAuthSuccessEvent {
            ready.succeed(())
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
