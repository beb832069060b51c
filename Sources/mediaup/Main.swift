import UploadCore
import Transport
import Sandbox

@main
struct Main { static func main() {} }
