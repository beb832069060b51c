import Foundation
import Testing
import UploadCore

#if canImport(Glibc)
import Glibc
#endif

/// A tmpfs of a few hundred KB mounted for one test, so that mediaup's state folder runs
/// out of room on cue. Mounting needs root (CAP_SYS_ADMIN), which these tests have.
struct TinyDisk {
    let path: String

    /// Mounts a tmpfs of `size` (as mount takes it: "256k") at `path`, made if missing.
    init(at path: String, size: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let mounted = mount("tmpfs", path, "tmpfs", 0, "size=\(size)") == 0
        try #require(mounted, "cannot mount a tmpfs: \(FileIdentity.errorText(errno))")
        self.path = path
    }

    func unmount() { umount2(path, Int32(MNT_DETACH)) }

    /// Fills what is left with a file of zeros; says whether the disk ended full (ENOSPC).
    func fill() -> Bool {
        let filler = open(path + "/filler", O_CREAT | O_WRONLY, 0o644)
        guard filler >= 0 else { return false }
        defer { close(filler) }
        let block = [UInt8](repeating: 0, count: 4096)
        while block.withUnsafeBytes({ write(filler, $0.baseAddress, $0.count) }) > 0 {}
        return errno == ENOSPC
    }
}
