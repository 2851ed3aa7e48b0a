import NIOCore

/// A client handler of the fixture's probes (HTTP, TCP echo) that completes one promise with what came back: a
/// connection that closes first, or an error, fails it.
protocol ProbeClientHandler: ChannelInboundHandler {
    /// What the probe answers.
    associatedtype Reply
    /// Completed once, with the reply or the failure.
    var promise: EventLoopPromise<Reply> { get }
}

extension ProbeClientHandler {
    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(ProbeFailure.connectionClosed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(error)
        context.close(promise: nil)
    }
}
