import HTTPTypes
import Hummingbird
import Logging
import UploadCore

/// Checks the key (`D360-API-KEY`, or as Meta the `Authorization` header in the scheme
/// of the call), turns errors into `{"error": …}` responses (as Meta, always its error
/// object), and logs and records every request (never the key or the session signature).
struct SandboxMiddleware: RouterMiddleware {
    typealias Context = SandboxRequestContext
    let state: SandboxState
    let apiKey: String
    var provider: APIProvider = .dialog360
    let logger: Logger

    /// Why `request` is not let in, or nil.
    private func refusal(_ request: Request) -> APIError? {
        guard provider == .meta else {
            return request.headers[.d360APIKey] == apiKey ? nil : APIError(.unauthorized, "invalid or missing D360-API-KEY")
        }
        let oauth = APIError.Meta(type: "OAuthException", code: 190, subcode: nil)
        if request.headers[.d360APIKey] != nil {
            return APIError(.unauthorized, "this is Meta's Graph API: send the token as Authorization, not D360-API-KEY", meta: oauth)
        }
        // Meta's guides: upload sessions take `OAuth`, the rest `Bearer`.
        let path = request.uri.path
        let scheme = path.hasSuffix("/uploads") || path.contains("/upload:") ? "OAuth" : "Bearer"
        guard request.headers[.authorization] == scheme + " " + apiKey else {
            return APIError(
                .unauthorized, "Invalid OAuth access token - Cannot parse access token (expected Authorization: \(scheme) …)", meta: oauth)
        }
        return nil
    }

    func handle(
        _ request: Request, context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let method = request.method.rawValue
        let path = request.uri.path
        let fileOffset = request.headers[.fileOffset]
        let response: Response
        do {
            if let refusal = refusal(request) { throw refusal }
            response = try await next(request, context)
        } catch let error as APIError {
            response =
                error.meta == nil && provider == .dialog360
                ? jsonResponse(error.status, ["error": .string(error.message)], headers: error.headers) : metaErrorResponse(error)
        } catch let error as HTTPError {
            let message = error.body ?? error.status.reasonPhrase
            response =
                provider == .dialog360
                ? jsonResponse(error.status, ["error": .string(message)])
                : metaErrorResponse(APIError(error.status, message, meta: APIError.Meta(type: "GraphMethodException", code: 100, subcode: nil)))
        } catch is ConnectionCut {
            await state.record(SandboxRequestRecord(method: method, path: path, fileOffset: fileOffset, status: nil))
            logger.info("\(method) \(path) -> connection cut (reset fault)")
            throw ConnectionCut()
        } catch is ClientGone {
            await state.record(SandboxRequestRecord(method: method, path: path, fileOffset: fileOffset, status: nil))
            logger.info("\(method) \(path) -> client went away")
            throw ClientGone()
        } catch {
            logger.error("\(method) \(path) failed: \(error)")
            response = jsonResponse(.internalServerError, ["error": .string("sandbox: \(error)")])
        }
        await state.record(
            SandboxRequestRecord(method: method, path: path, fileOffset: fileOffset, status: response.status.code))
        logger.info("\(method) \(path) -> \(response.status.code)")
        return response
    }
}
