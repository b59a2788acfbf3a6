/// The JSON shapes of `Wire`, as OpenAPI schemas.
enum OpenAPISchemas {
    static var string: [String: Any] { ["type": "string"] }
    static var optionalString: [String: Any] { ["type": ["string", "null"]] }
    static var integer: [String: Any] { ["type": "integer"] }
    static var optionalInteger: [String: Any] { ["type": ["integer", "null"]] }
    static var boolean: [String: Any] { ["type": "boolean"] }
    static var dateTime: [String: Any] { ["type": "string", "format": "date-time"] }
    static var optionalDateTime: [String: Any] { ["type": ["string", "null"], "format": "date-time"] }

    static func ref(_ name: String) -> [String: Any] { ["$ref": "#/components/schemas/\(name)"] }
    static func array(_ items: [String: Any]) -> [String: Any] { ["type": "array", "items": items] }
    static func object(_ properties: [String: [String: Any]], required: [String] = []) -> [String: Any] {
        ["type": "object", "properties": properties, "required": required]
    }
    static func page(_ item: String) -> [String: Any] {
        object(
            ["items": array(ref(item)), "total": integer, "offset": integer, "limit": integer],
            required: ["items", "total", "offset", "limit"])
    }

    static var user: [String: Any] {
        object(
            [
                "id": string, "username": string, "displayName": string, "email": optionalString,
                "role": ["type": "string", "enum": ["admin", "user"]], "maxBitrate": optionalInteger,
                "libraryIds": ["type": ["array", "null"], "items": string], "canDownload": boolean,
                "canShare": boolean, "createdAt": dateTime, "lastSeenAt": optionalDateTime,
            ], required: ["id", "username", "displayName", "role", "canDownload", "canShare", "createdAt"])
    }

    static var preferences: [String: Any] {
        object(
            [
                "streamFormat": ["type": "string", "enum": ["raw", "mp3", "opus", "aac", "flac"]],
                "maxBitrate": integer, "theme": ["type": "string", "enum": ["auto", "light", "dark"]],
                "language": string, "scrobbling": boolean, "listeningVisible": boolean,
            ], required: ["streamFormat", "maxBitrate", "theme", "language", "scrobbling", "listeningVisible"])
    }

    static var session: [String: Any] {
        object(
            [
                "id": string, "createdAt": dateTime, "expiresAt": dateTime, "lastUsedAt": dateTime,
                "client": optionalString, "address": optionalString, "current": boolean,
            ], required: ["id", "createdAt", "expiresAt", "lastUsedAt", "current"])
    }

    static var apiKey: [String: Any] {
        object(
            [
                "id": string, "name": string, "createdAt": dateTime, "lastUsedAt": optionalDateTime,
                "key": optionalString,
            ],
            required: ["id", "name", "createdAt"])
    }

    static var play: [String: Any] {
        object(
            [
                "id": integer, "trackId": string, "startedAt": dateTime, "secondsPlayed": integer,
                "client": optionalString, "scrobble": boolean, "title": optionalString, "artist": optionalString,
                "album": optionalString,
            ], required: ["id", "trackId", "startedAt", "secondsPlayed", "scrobble"])
    }

    static var all: [String: Any] {
        [
            "Error": object(
                ["error": object(["code": string, "message": string], required: ["code", "message"])],
                required: ["error"]),
            "User": user, "UserList": array(ref("User")),
            "Login": object(["username": string, "password": string], required: ["username", "password"]),
            "LoginResult": object(
                ["user": ref("User"), "token": string, "expiresAt": dateTime], required: ["user", "token", "expiresAt"]),
            "Setup": object(
                ["token": string, "username": string, "password": string, "displayName": string],
                required: ["token", "username", "password"]),
            "SetupStatus": object(["setupRequired": boolean], required: ["setupRequired"]),
            "NewUserResult": object(["user": ref("User"), "appPassword": string], required: ["user", "appPassword"]),
            "ProfileUpdate": object(["displayName": string, "email": string]),
            "PasswordChange": object(["currentPassword": string, "newPassword": string], required: ["newPassword"]),
            "Preferences": preferences,
            "Session": session, "SessionList": array(ref("Session")),
            "Secret": object(["secret": string], required: ["secret"]),
            "APIKey": apiKey, "APIKeyList": array(ref("APIKey")),
            "NewAPIKey": object(["name": string], required: ["name"]),
            "Play": play, "PlayPage": page("Play"),
            "NewPlay": object(
                ["trackId": string, "startedAt": dateTime, "secondsPlayed": integer, "client": string],
                required: ["trackId", "secondsPlayed"]),
            "Deleted": object(["deleted": integer], required: ["deleted"]),
            "Export": object(
                [
                    "exportedAt": dateTime, "profile": ref("User"), "preferences": ref("Preferences"),
                    "playlists": array(["type": "object"]), "playQueue": ["type": ["object", "null"]],
                    "bookmarks": array(["type": "object"]), "stars": array(["type": "object"]),
                    "history": array(ref("Play")), "apiKeys": array(ref("APIKey")),
                ], required: ["exportedAt", "profile", "preferences", "playlists", "bookmarks", "stars", "history"]),
            "NewUser": object(
                [
                    "username": string, "password": string, "role": ["type": "string", "enum": ["admin", "user"]],
                    "displayName": string, "email": string,
                ], required: ["username", "password"]),
            "UserUpdate": object([
                "displayName": string, "email": string, "role": ["type": "string", "enum": ["admin", "user"]],
                "maxBitrate": integer, "clearMaxBitrate": boolean, "libraryIds": array(string),
                "allLibraries": boolean, "canDownload": boolean, "canShare": boolean,
            ]),
            "AuditEvent": object(
                [
                    "id": integer, "at": dateTime, "kind": string, "actorId": optionalString,
                    "subject": optionalString, "address": optionalString,
                ], required: ["id", "at", "kind"]),
            "AuditPage": page("AuditEvent"),
            "LibraryList": array(
                object(["id": string, "name": string, "path": string], required: ["id", "name", "path"])),
            "ScanState": object(
                [
                    "running": boolean, "filesSeen": integer, "expectedFiles": integer, "startedAt": optionalDateTime,
                    "completedScans": integer, "summary": ["type": "object"],
                ], required: ["running", "filesSeen", "expectedFiles", "completedScans", "summary"]),
            "PluginList": array(["type": "object"]),
        ]
    }
}
