import Logging

/// A logger that drops everything, so test output stays readable.
public func quietLogger(_ label: String) -> Logger {
    Logger(label: label, factory: { _ in SwiftLogNoOpLogHandler() })
}
