import Hummingbird
import NIOCore

/// The request context: Hummingbird's basic one plus the connection's channel,
/// which the reset fault needs to cut the TCP connection.
struct SandboxRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
