extension OpenAPIDocument {
    /// The admin's System page.
    static let systemOperations: [Operation] = [
        Operation(
            method: "get", path: "/api/v1/admin/system",
            summary:
                "Live figures of the server: uptime, CPU time, memory, requests and 5xx per minute, streams, "
                + "free disk, the last warnings and errors logged, each plugin's health",
            access: .admin, response: "SystemStatus")
    ]
}
