import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

extension HealthChecker {
    /// Starts one probe; it calls `attempt.finish` exactly once.
    func start(_ attempt: ProbeAttempt) {
        let probe = attempt.entry.target.probe
        // The attempt lives on the loop; closures NIO may hold elsewhere carry it checked.
        let bound = NIOLoopBound(attempt, eventLoop: loop)
        let timeout = TimeAmount(probe.timeout)
        switch probe.kind {
        case .tcp:
            connect(attempt, timeout: timeout, initializer: nil)
        case .http(let path, let host, let statuses):
            let hostHeader = host ?? attempt.entry.target.endpoint
            attempt.timeout = loop.scheduleTask(in: timeout) {
                bound.value.finish(ProbeFailure(.timedOut, "timed out"))
            }
            connect(attempt, timeout: timeout) { channel in
                try channel.pipeline.syncOperations.addHandler(
                    HTTPProbeHandler(attempt: bound.value, path: path, host: hostHeader, statuses: statuses)
                )
            }
        case .udp(let payload, let expect):
            attempt.timeout = loop.scheduleTask(in: timeout) {
                bound.value.finish(expect == nil ? nil : ProbeFailure(.timedOut, "no reply"))
            }
            DatagramBootstrap(group: loop)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            UDPProbeHandler(attempt: bound.value, expect: expect)
                        )
                    }
                }
                .connect(to: attempt.entry.address)
                .whenComplete { result in
                    switch result {
                    case .success(let channel):
                        bound.value.attach(channel)
                        channel.writeAndFlush(channel.allocator.buffer(bytes: payload)).whenFailure { error in
                            bound.value.finish(ProbeFailure(.connection, "send failed", cause: error))
                        }
                    case .failure(let error):
                        bound.value.finish(Self.failure(error))
                    }
                }
        }
    }

    /// Opens a TCP connection; a plain TCP probe succeeds as soon as it is connected and closes it with a reset.
    private func connect(
        _ attempt: ProbeAttempt,
        timeout: TimeAmount,
        initializer: (@Sendable (any Channel) throws -> Void)?
    ) {
        let state = self.state
        let bound = NIOLoopBound(attempt, eventLoop: loop)
        var bootstrap =
            state.bootstraps[attempt.entry.target.probe.timeout] ?? ClientBootstrap(group: loop)
            .connectTimeout(timeout)
        if state.bootstraps.count < 16 { state.bootstraps[attempt.entry.target.probe.timeout] = bootstrap }
        if let initializer {
            bootstrap = ClientBootstrap(group: loop).connectTimeout(timeout).channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try initializer(channel) }
            }
        }
        let plain = initializer == nil
        bootstrap.connect(to: attempt.entry.address).whenComplete { result in
            let attempt = bound.value
            switch result {
            case .success(let channel):
                if plain {
                    if let options = channel as? any SocketOptionProvider {
                        _ = options.setSoLinger(linger(l_onoff: 1, l_linger: 0))
                    }
                    attempt.attach(channel)
                    attempt.finish(nil)
                } else {
                    attempt.attach(channel)
                }
            case .failure(let error):
                attempt.finish(Self.failure(error))
            }
        }
    }

    /// A probe failure for a connection error, with a short reason.
    static func failure(_ error: any Error) -> ProbeFailure {
        if case ChannelError.connectTimeout = error {
            return ProbeFailure(.timedOut, "connect timed out")
        }
        if let error = error as? NIOConnectionError, let first = error.connectionErrors.first {
            return ProbeFailure(.connection, "connect failed", cause: first.error)
        }
        return ProbeFailure(.connection, "connect failed", cause: error)
    }
}
