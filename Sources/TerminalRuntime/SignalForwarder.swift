import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns SIGINT, SIGTERM and SIGHUP into a clean stop (uploads paused, the journal
/// up to date) instead of a dead process; optionally a second signal exits at once.
public final class SignalForwarder: Sendable {
    private let sources: Mutex<[any DispatchSourceSignal]>

    public init(exitOnSecond: Bool, _ handler: @escaping @Sendable () -> Void) {
        let count = Mutex(0)
        let made = [SIGINT, SIGTERM, SIGHUP].map { number -> any DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                let seen = count.withLock { value in
                    defer { value += 1 }; return value
                }
                if seen == 0 { handler() } else if exitOnSecond { exit(130) }
            }
            source.resume()
            return source
        }
        sources = Mutex(made)
    }

    deinit { sources.withLock { for source in $0 { source.cancel() } } }
}
