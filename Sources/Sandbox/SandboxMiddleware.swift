import HTTPTypes
import Hummingbird
import Logging

/// Checks `D360-API-KEY`, turns errors into `{"error": …}` responses, and
/// logs and records every request (never the key or the session signature).
struct SandboxMiddleware: RouterMiddleware {
    typealias Context = SandboxRequestContext
    let state: SandboxState
    let apiKey: String
    let logger: Logger

    func handle(
        _ request: Request, context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let method = request.method.rawValue
        let path = request.uri.path
        let fileOffset = request.headers[.fileOffset]
        let response: Response
        do {
            guard request.headers[.d360APIKey] == apiKey else {
                throw APIError(.unauthorized, "invalid or missing D360-API-KEY")
            }
            response = try await next(request, context)
        } catch let error as APIError {
            response =
                error.meta == nil ? jsonResponse(error.status, ["error": .string(error.message)], headers: error.headers) : metaErrorResponse(error)
        } catch let error as HTTPError {
            response = jsonResponse(error.status, ["error": .string(error.body ?? error.status.reasonPhrase)])
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
