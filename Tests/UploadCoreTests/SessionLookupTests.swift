import Testing
import UploadCore

@Suite("Session ids as the user types them")
struct SessionLookupTests {
    static func session(_ id: String, remote: String?) -> UploadSession {
        var session = UploadSession(id: id, path: "/tmp/\(id).png", fileSize: 10, fileModified: 1, mimeType: "image/png", route: .resumable)
        session.remoteID = remote
        return session
    }

    let sessions = [
        session("3fa2c1d09b7e", remote: "upload:MTph?sig=abc"),
        session("3fa9000000aa", remote: "upload:T2th?sig=def"),
        session("77aa00000000", remote: nil),
    ]

    @Test("the local id, the server id with or without its query, and a unique prefix all find the session")
    func forms() {
        for text in ["3fa2c1d09b7e", "upload:MTph?sig=abc", "upload:MTph", "3fa2", "3fa2c"] {
            #expect(SessionLookup(text, among: sessions) == .found(sessions[0]), "\(text)")
        }
        #expect(SessionLookup("7", among: sessions) == .found(sessions[2]))
    }

    @Test("an ambiguous prefix names its candidates; an unknown id or an empty one finds nothing")
    func misses() {
        #expect(SessionLookup("3fa", among: sessions) == .ambiguous(["3fa2c1d09b7e", "3fa9000000aa"]))
        #expect(SessionLookup("nope", among: sessions) == .unknown)
        #expect(SessionLookup("", among: sessions) == .unknown)
        #expect(SessionLookup("upload:MTph?sig=other", among: sessions) == .unknown)
        #expect(SessionLookup("upload:MT", among: sessions) == .unknown)
    }

    @Test("the messages say which id and, when ambiguous, every candidate")
    func messages() {
        #expect(SessionLookup.unknown.problem(for: "nope") == "no session nope in the journal (see mediaup sessions)")
        let ambiguous = SessionLookup.ambiguous(["3fa2c1d09b7e", "3fa9000000aa"]).problem(for: "3fa") ?? ""
        #expect(ambiguous.contains("3fa2c1d09b7e") && ambiguous.contains("3fa9000000aa") && ambiguous.contains("ambiguous"))
        #expect(SessionLookup.found(sessions[0]).problem(for: "3fa2") == nil)
    }
}
