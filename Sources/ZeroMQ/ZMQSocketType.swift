import CZeroMQ

/// The ZeroMQ messaging patterns a socket can take part in.
public enum ZMQSocketType: Sendable, Hashable, CaseIterable {
    case pub, sub, push, pull, router, dealer, req, rep, pair, xpub, xsub

    var cValue: CInt {
        switch self {
        case .pub: ZMQ_PUB
        case .sub: ZMQ_SUB
        case .push: ZMQ_PUSH
        case .pull: ZMQ_PULL
        case .router: ZMQ_ROUTER
        case .dealer: ZMQ_DEALER
        case .req: ZMQ_REQ
        case .rep: ZMQ_REP
        case .pair: ZMQ_PAIR
        case .xpub: ZMQ_XPUB
        case .xsub: ZMQ_XSUB
        }
    }
}
