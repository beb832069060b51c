import Foundation

/// The ffmpeg the tests run: MEDIAUP_TEST_FFMPEG (`make test` sets it), else the one
/// imageio-ffmpeg carries. Throws, so a test that needs it fails, when there is neither.
public enum TestFFmpeg {
    public struct Missing: Error, CustomStringConvertible {
        public var description: String {
            "no ffmpeg for the tests: set MEDIAUP_TEST_FFMPEG, or `pip install imageio-ffmpeg` (make test does both)"
        }
    }

    public static func path() throws -> String {
        if let set = ProcessInfo.processInfo.environment["MEDIAUP_TEST_FFMPEG"], !set.isEmpty { return set }
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", "-c", "import imageio_ffmpeg; print(imageio_ffmpeg.get_ffmpeg_exe())"]
        let out = Pipe()
        python.standardOutput = out
        python.standardError = FileHandle.nullDevice
        guard (try? python.run()) != nil else { throw Missing() }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        python.waitUntilExit()
        let found = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard python.terminationStatus == 0, FileManager.default.isExecutableFile(atPath: found) else { throw Missing() }
        return found
    }
}
