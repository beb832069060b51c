import Sandbox

/// Runs `body` with `resource`, then awaits `stop(resource)` whether `body` returned or
/// threw: a test's sandbox or program is gone before the test is, not some time after
/// (as with `defer { Task { … } }`, which nothing awaits).
public func withTeardown<Resource, Value>(
    of resource: Resource, _ stop: (Resource) async -> Void, _ body: (Resource) async throws -> Value
) async throws -> Value {
    let result: Value
    do {
        result = try await body(resource)
    } catch {
        await stop(resource)
        throw error
    }
    await stop(resource)
    return result
}

/// Starts a ``SandboxFixture``, runs `body` with it and stops it (server down, folder
/// removed) before returning or rethrowing.
public func withSandbox<Value>(
    apiKey: String, storageDirectory: String? = nil, _ configure: (inout SandboxConfiguration) -> Void = { _ in },
    _ body: (SandboxFixture) async throws -> Value
) async throws -> Value {
    let fixture = try await SandboxFixture(apiKey: apiKey, storageDirectory: storageDirectory, configure)
    return try await withTeardown(of: fixture, { await $0.stop() }, body)
}

/// Runs `body` with a started `session`, then kills it (program, tmux server, folder)
/// before returning or rethrowing.
public func withTmuxSession<Value>(
    _ session: TmuxSession, _ body: (TmuxSession) async throws -> Value
) async throws -> Value {
    try await withTeardown(of: session, { await $0.kill() }, body)
}
