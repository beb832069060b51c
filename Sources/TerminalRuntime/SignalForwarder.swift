import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns SIGINT, SIGTERM, SIGHUP and SIGQUIT into a clean stop (uploads paused, the journal
/// up to date) instead of a dead process. A second signal means "now": `onSecond`
/// runs, which by default exits with status 130. The journal then holds each session
/// as of its last write, which the next run resumes as after a crash.
public final class SignalForwarder: Sendable {
    private let sources: Mutex<[any DispatchSourceSignal]>

    public init(onSecond: @escaping @Sendable () -> Void = { exit(130) }, _ handler: @escaping @Sendable () -> Void) {
        let count = Mutex(0)
        // SIGQUIT too: Ctrl-\ or `kill -QUIT` is meant to stop the process, and a pause
        // keeps what a core dump would lose.
        let made = [SIGINT, SIGTERM, SIGHUP, SIGQUIT].map { number -> any DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                let seen = count.withLock { value in
                    defer { value += 1 }; return value
                }
                if seen == 0 { handler() } else if seen == 1 { onSecond() }
            }
            source.resume()
            return source
        }
        sources = Mutex(made)
    }

    deinit { sources.withLock { for source in $0 { source.cancel() } } }
}
