import ArgumentParser
import Foundation

/// The `mediaup` command: every subcommand, and the exit codes scripts rely on —
/// 0 all done, 1 any file failed, 2 bad usage or configuration.
@main
struct Mediaup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mediaup",
        abstract: "Uploads WhatsApp media through 360dialog's Media Uploads API: resumable, journaled, scriptable.",
        version: "0.1.0",
        subcommands: [
            TuiCommand.self, UploadCommand.self, ResumeCommand.self, SessionsCommand.self, ForgetCommand.self, StatusCommand.self,
            CheckCommand.self, FixCommand.self, MediaCommand.self, RefreshCommand.self, ExportCommand.self, SandboxCommand.self,
        ],
        defaultSubcommand: TuiCommand.self
    )

    static func main() async {
        ConsoleWriter.prepareProcess()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            exit(0)
        } catch let code as ExitCode {
            exit(code.rawValue)
        } catch let error as UsageError {
            // A config file's problems come one a line, each said in full.
            for line in error.message.split(separator: "\n") { try? ConsoleWriter.standardError.displayLine("mediaup: \(line)") }
            exit(2)
        } catch let failure as ConsoleWriter.Failure {
            exit(1, after: failure)
        } catch {
            if exitCode(for: error) == .success {
                try? ConsoleWriter.standardOutput.line(fullMessage(for: error))
                exit(0)
            }
            try? ConsoleWriter.standardError.line(fullMessage(for: error))
            // Parsing and validation errors are bad usage: exit code 2 by contract.
            exit(2)
        }
    }

    /// Exits with `code`, or 1 if it is 0 and output was lost: a script must not take
    /// a run whose report it never got for a success.
    private static func exit(_ code: Int32, after failure: ConsoleWriter.Failure? = nil) -> Never {
        if let lost = ConsoleWriter.standardOutputFailure ?? failure {
            try? ConsoleWriter.standardError.line("mediaup: \(lost)")
        }
        Foundation.exit(code == 0 && ConsoleWriter.anyFailed ? 1 : code)
    }
}
