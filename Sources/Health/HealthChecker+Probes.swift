import NIOCore
import NIOPosix
import Values

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
            queueConnect(bound, timeout: timeout)
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

    /// Opens the HTTP probe's TCP connection, with `initializer` setting up its pipeline.
    private func connect(
        _ attempt: ProbeAttempt,
        timeout: TimeAmount,
        initializer: @escaping @Sendable (any Channel) throws -> Void
    ) {
        let bound = NIOLoopBound(attempt, eventLoop: loop)
        ClientBootstrap(group: loop).connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try initializer(channel) }
            }
            .connect(to: attempt.entry.address)
            .whenComplete { result in
                switch result {
                case .success(let channel): bound.value.attach(channel)
                case .failure(let error): bound.value.finish(Self.failure(error))
                }
            }
    }

    /// Queues a TCP probe for the connector (made on first use); the queue goes to it once the loop's current
    /// work is done, so the probes due in one tick travel as one batch.
    private func queueConnect(_ attempt: NIOLoopBound<ProbeAttempt>, timeout: TimeAmount) {
        let state = self.state
        state.connects.append(.init(token: attempt, address: attempt.value.entry.address, timeout: timeout))
        guard state.connects.count == 1 else { return }
        loop.execute { [self] in
            let state = self.state
            let batch = state.connects
            state.connects = []
            guard !state.stopped else { return }
            let failure: ProbeFailure
            do {
                if try connector().submit(batch) { return }
                // Its thread has ended: the next batch starts a new one.
                state.connector = nil
                failure = ProbeFailure(.notProbed, "not probed: the TCP prober's thread had ended")
            } catch {
                failure = ProbeFailure(.notProbed, "not probed: the TCP prober cannot start", cause: error)
            }
            for request in batch { request.token.value.finish(failure) }
        }
    }

    /// The TCP connector, started on first use; its outcomes come back to the loop in batches.
    private func connector() throws(OSError) -> TCPConnector<NIOLoopBound<ProbeAttempt>> {
        if let connector = state.connector { return connector }
        let loop = self.loop
        // Half the descriptors for probes in flight at most: the rest of the proxy (netlink, the API server's
        // connections, watches) must never be starved by endpoints that do not answer.
        let limit = OpenFileLimit.current().map { Int(clamping: $0.soft / 2) } ?? 512
        let connector = try TCPConnector<NIOLoopBound<ProbeAttempt>>(maxInFlight: limit) { outcomes in
            loop.execute {
                for outcome in outcomes { outcome.token.value.finish(Self.failure(outcome)) }
            }
        }
        state.connector = connector
        return connector
    }

    /// A probe failure for a connector outcome (nil: connected).
    static func failure<Token>(_ outcome: TCPConnector<Token>.Outcome) -> ProbeFailure? {
        if outcome.timedOut { return ProbeFailure(.timedOut, "connect timed out") }
        return outcome.error.map { ProbeFailure.connect(errno: $0.errno, cause: $0) }
    }

    /// A probe failure for a connection error, with a short reason.
    static func failure(_ error: any Error) -> ProbeFailure {
        if case ChannelError.connectTimeout = error {
            return ProbeFailure(.timedOut, "connect timed out")
        }
        if let error = error as? NIOConnectionError, let first = error.connectionErrors.first {
            return failure(first.error)
        }
        if let error = error as? IOError { return ProbeFailure.connect(errno: error.errnoCode, cause: error) }
        return ProbeFailure(.connection, "connect failed", cause: error)
    }
}
