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
            SandboxCommand.self,
        ],
        defaultSubcommand: TuiCommand.self
    )

    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch let error as UsageError {
            FileHandle.standardError.write(Data("mediaup: \(error.message)\n".utf8))
            Foundation.exit(2)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            // Parsing and validation errors are bad usage: exit code 2 by contract.
            Foundation.exit(2)
        }
    }
}
