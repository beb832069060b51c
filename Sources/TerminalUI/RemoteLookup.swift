import UploadCore

/// Where a lookup of a media id (`GET /<media id>`) for the screen stands.
public enum RemoteLookup: Sendable, Equatable {
    case asking
    case found(RemoteMedia)
    case failed(String)
}
