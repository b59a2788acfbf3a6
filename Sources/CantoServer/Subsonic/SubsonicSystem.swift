import CantoCore

/// ping, getLicense, getOpenSubsonicExtensions, tokenInfo.
enum SubsonicSystem {
    /// Exactly the extensions implemented, with their versions.
    static let extensions: [(name: String, versions: [Int])] = [
        ("apiKeyAuthentication", [1]),
        ("formPost", [1]),
        ("songLyrics", [1]),
        ("indexBasedQueue", [1]),
        ("transcodeOffset", [1]),
        ("sonicSimilarity", [1]),
    ]

    static func register(in api: inout SubsonicAPI) {
        api.on("ping") { _ in .empty }
        api.on("getLicense") { _ in .element("license", SubsonicElement([("valid", .bool(true))])) }
        api.open("getOpenSubsonicExtensions") {
            .list(
                "openSubsonicExtensions",
                extensions.map { name, versions in
                    SubsonicElement([("name", .string(name))]).with(
                        "versions", list: versions.map { .value(.int($0)) })
                })
        }
        api.on("tokenInfo") { call in
            guard call.parameters.string("apiKey") != nil else {
                throw SubsonicError(.mechanismNotSupported, "tokenInfo needs an apiKey")
            }
            return .element("tokenInfo", SubsonicElement([("username", .string(call.user.username))]))
        }
    }
}
