#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds the ffmpeg that `mediaup fix` runs: `--ffmpeg PATH`, else `MEDIAUP_FFMPEG`,
/// else `ffmpeg` on PATH.
public enum FFmpegLocator {
    /// How to get one, said where none is found.
    public static let installHint =
        "install it with `sudo apt-get install ffmpeg`, or `pip install imageio-ffmpeg` and pass "
        + "--ffmpeg \"$(python3 -c 'import imageio_ffmpeg; print(imageio_ffmpeg.get_ffmpeg_exe())')\""

    /// No ffmpeg to run; the message says why and how to install one.
    public struct Missing: Error, Sendable, Equatable {
        public var message: String
    }

    public static func locate(explicit: String?, environment: [String: String]) -> Result<String, Missing> {
        if let explicit {
            return isExecutableFile(explicit)
                ? .success(explicit) : .failure(Missing(message: "--ffmpeg \(explicit) is not an executable file; \(installHint)"))
        }
        if let variable = environment["MEDIAUP_FFMPEG"], !variable.isEmpty {
            return isExecutableFile(variable)
                ? .success(variable) : .failure(Missing(message: "MEDIAUP_FFMPEG=\(variable) is not an executable file; \(installHint)"))
        }
        for folder in (environment["PATH"] ?? "").split(separator: ":") where !folder.isEmpty {
            let candidate = String(folder) + "/ffmpeg"
            if isExecutableFile(candidate) { return .success(candidate) }
        }
        return .failure(Missing(message: "ffmpeg is not on PATH; \(installHint)"))
    }

    private static func isExecutableFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG && access(path, X_OK) == 0
    }
}
