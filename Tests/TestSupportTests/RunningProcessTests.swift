import Foundation
import TestSupport
import Testing

/// The one process runner every test target uses.
@Suite struct RunningProcessTests {
    @Test("exit status, standard output and error apart, and the time it took")
    func outcome() async throws {
        let outcome = try await RunningProcess.run("/bin/sh", ["-c", "echo out; echo err >&2; sleep 0.2; exit 3"])
        #expect(outcome.status == 3)
        #expect(outcome.stdout == "out\n")
        #expect(outcome.stderr == "err\n")
        #expect(outcome.duration >= 0.2 && outcome.duration < 10)
    }

    @Test("the environment given is the child's whole environment; the working directory is used")
    func environmentAndDirectory() async throws {
        let outcome = try await RunningProcess.run(
            "/bin/sh", ["-c", "echo \"$ONLY:${HOME:-unset}\"; pwd"], environment: ["ONLY": "this"], workingDirectory: "/tmp")
        #expect(outcome.stdout == "this:unset\n/tmp\n")
    }

    @Test("started now, awaited later: outcome() waits for the exit, and answers again after it")
    func startThenWait() async throws {
        let running = try RunningProcess("/bin/sh", ["-c", "read line; echo \"got [$line]\"; sleep 0.3; echo done"])
        #expect(running.process.isRunning)
        let first = await running.outcome()
        #expect(first.status == 0)
        // Standard input is /dev/null: `read` sees end of file at once.
        #expect(first.stdout == "got []\ndone\n")
        let second = await running.outcome()
        #expect(second.stdout == first.stdout)
    }

    @Test("a killed process reports the signal")
    func killed() async throws {
        let running = try RunningProcess("/bin/sleep", ["600"])
        kill(running.process.processIdentifier, SIGKILL)
        let outcome = await running.outcome()
        #expect(running.process.terminationReason == .uncaughtSignal)
        #expect(outcome.status == SIGKILL)
    }

    @Test("a program that does not exist throws at the start")
    func missingProgram() {
        #expect(throws: (any Error).self) { try RunningProcess("/nonexistent/program", []) }
    }
}
