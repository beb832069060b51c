import HTTPTypes

extension HTTPField.Name {
    static let d360APIKey = HTTPField.Name("D360-API-KEY")!
    static let fileOffset = HTTPField.Name("file_offset")!
}
