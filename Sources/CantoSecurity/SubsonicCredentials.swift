/// The authentication parameters of a Subsonic request: `u`, `p`, `t`, `s` and `apiKey`.
/// An empty value counts as absent (go-subsonic sends empty `t=` and `s=` in its Basic mode).
public struct SubsonicCredentials: Sendable, Equatable {
    /// `u`.
    public var username: String?
    /// `p`: clear text, or `enc:` and hex.
    public var password: String?
    /// `t`: `md5(password + salt)` in hex.
    public var token: String?
    /// `s`.
    public var salt: String?
    /// `apiKey` (OpenSubsonic `apiKeyAuthentication`).
    public var apiKey: String?

    /// Credentials from the parameters' values; empty strings become nil.
    public init(
        username: String? = nil, password: String? = nil, token: String? = nil, salt: String? = nil,
        apiKey: String? = nil
    ) {
        self.username = Self.present(username)
        self.password = Self.present(password)
        self.token = Self.present(token)
        self.salt = Self.present(salt)
        self.apiKey = Self.present(apiKey)
    }

    /// The credentials among a request's parameters, by their Subsonic names.
    public init(parameters: [String: String]) {
        self.init(
            username: parameters["u"], password: parameters["p"], token: parameters["t"], salt: parameters["s"],
            apiKey: parameters["apiKey"])
    }

    private static func present(_ value: String?) -> String? {
        value?.isEmpty == false ? value : nil
    }
}
