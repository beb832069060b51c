/// WhatsApp's media kinds, each with its own size limit.
public enum MediaKind: String, Sendable {
    case audio, document, image, sticker, video
}
