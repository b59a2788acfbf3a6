import Foundation

/// The OpenAPI 3.1 description of the native API, served at `/api/openapi.json`.
/// `OpenAPITests` checks that every route the router has is described here and nothing else.
enum OpenAPIDocument {
    enum Access: String { case anyone, user, admin }

    struct Operation {
        var method: String
        /// OpenAPI form: `/api/v1/me/sessions/{id}`.
        var path: String
        var summary: String
        var access: Access
        var request: String? = nil
        var response: String? = nil
        var status = 200
        var query: [String] = []
    }

    static let operations: [Operation] =
        catalogOperations + playlistOperations + accountOperations + pluginOperations + statsOperations
        + planOperations + systemOperations

    /// Plans and the ledger (JSON, or CSV with `format=csv`).
    static let planOperations: [Operation] = [
        Operation(
            method: "get", path: "/api/v1/plans", summary: "The plans on this server and what each grants",
            access: .user, response: "PlanList"),
        Operation(
            method: "get", path: "/api/v1/me/plan",
            summary: "My plan now: which, from whom, until when, and what it lets me do", access: .user,
            response: "MyPlan"),
        Operation(
            method: "get", path: "/api/v1/me/ledger", summary: "My payments, refunds and plan changes",
            access: .user, response: "Ledger", query: ["format"]),
        Operation(
            method: "post", path: "/api/v1/me/plan/checkout",
            summary: "Start paying for a plan: the payment provider's checkout page (the plan changes when it says so)",
            access: .user, request: "CheckoutRequest", response: "Redirect"),
        Operation(
            method: "post", path: "/api/v1/me/plan/portal",
            summary: "The payment provider's self-service page for my plan (change card, cancel)", access: .user,
            request: "CheckoutRequest", response: "Redirect"),
        Operation(
            method: "put", path: "/api/v1/admin/plans/{id}",
            summary: "Define or change a plan: its price, interval, trial and what it grants", access: .admin,
            request: "PlanBody", response: "Plan"),
        Operation(
            method: "delete", path: "/api/v1/admin/plans/{id}", summary: "Remove a plan nobody holds",
            access: .admin, status: 204),
        Operation(
            method: "put", path: "/api/v1/admin/users/{id}/plan",
            summary: "Give a listener a plan by hand (the manual provider), or the free plan back", access: .admin,
            request: "PlanChange", response: "MyPlan"),
        Operation(
            method: "get", path: "/api/v1/admin/ledger",
            summary: "Every payment, refund and plan change, with totals by month", access: .admin,
            response: "Ledger", query: ["format"]),
    ]

    /// The listener's statistics and the household's charts: JSON, or CSV with `format=csv`.
    static let statsOperations: [Operation] = {
        let period = ["period", "from", "to", "format"]
        return [
            Operation(
                method: "get", path: "/api/v1/me/stats/listening",
                summary: "My plays, skips, minutes and first listens per day, week, month or year of a period",
                access: .user, response: "StatsListening", query: period + ["unit"]),
            Operation(
                method: "get", path: "/api/v1/me/stats/top",
                summary: "My top tracks, artists, albums or genres for a period, against the period before",
                access: .user, response: "StatsChart", query: period + ["kind", "limit"]),
            Operation(
                method: "get", path: "/api/v1/me/stats/habits",
                summary: "My habits: hour × weekday, streaks, new listening, skips, sessions, formats, clients",
                access: .user, response: "StatsHabits", query: period),
            Operation(
                method: "get", path: "/api/v1/me/stats/taste",
                summary: "My taste by month: genre and decade shares, tempo, loudness and energy",
                access: .user, response: "StatsTaste", query: period),
            Operation(
                method: "get", path: "/api/v1/me/stats/year/{year}", summary: "My year in review", access: .user,
                response: "StatsReview", query: ["format"]),
            Operation(
                method: "get", path: "/api/v1/admin/stats",
                summary:
                    "The server's activity per hour, streams and transcodes by format, bytes, caches, listeners, clients, library growth, scans, slow requests",
                access: .admin, response: "ServerStats", query: ["hours"]),
            Operation(
                method: "get", path: "/api/v1/admin/recommendations",
                summary:
                    "How each recommender's picks did (shown, played, skipped, stars, thumbs), overall and per listener, with each listener's weights",
                access: .admin, response: "RecommendationReport", query: ["days"]),
            Operation(
                method: "get", path: "/api/v1/stats/household",
                summary: "The household's top items, from the listeners who share their listening", access: .user,
                response: "HouseholdChart", query: period + ["kind", "limit"]),
        ]
    }()

    /// Plugins' own routes: what they take and answer is the plugin's (see its documentation).
    static let pluginOperations: [Operation] =
        ["get", "post", "put", "patch", "delete"].map { method in
            Operation(
                method: method, path: "/api/v1/plugins/{plugin}/{path}",
                summary: "A plugin's own route (declared by the plugin; the caller is passed on)", access: .user,
                request: method == "get" || method == "delete" ? nil : "raw", response: "any")
        }
        + ["get", "post"].map { method in
            Operation(
                method: method, path: "/plugins/{plugin}/{path}",
                summary: "A plugin's public route (callbacks, webhooks), without sign-in", access: .anyone,
                request: method == "get" ? nil : "raw", response: "any")
        } + [
            Operation(
                method: "get", path: "/plugins/{plugin}/link-callback",
                summary: "Where a service's page sends a listener back (web linking); redirects to the profile",
                access: .anyone, status: 303)
        ]

    static let catalogOperations: [Operation] = [
        .init(
            method: "get", path: "/api/v1/artists", summary: "Artists in name order, or matching `q`", access: .user,
            response: "ArtistPage", query: ["q", "offset", "limit"]),
        .init(
            method: "get", path: "/api/v1/artists/{id}", summary: "An artist with albums and top tracks",
            access: .user, response: "ArtistDetail"),
        .init(
            method: "get", path: "/api/v1/albums",
            summary: "Albums: sort name, artist, newest, year, random, recent, frequent, highest, starred; or a genre",
            access: .user, response: "AlbumPage", query: ["sort", "genre", "offset", "limit"]),
        .init(
            method: "get", path: "/api/v1/albums/{id}", summary: "An album with its tracks by disc", access: .user,
            response: "AlbumDetail"),
        .init(method: "get", path: "/api/v1/tracks/{id}", summary: "A track", access: .user, response: "TrackItem"),
        .init(
            method: "get", path: "/api/v1/tracks/{id}/similar",
            summary: "Tracks like this one, best first, each with why (from the recommenders)", access: .user,
            response: "PickList", query: ["limit"]),
        .init(
            method: "get", path: "/api/v1/radio",
            summary:
                "A radio's next tracks from a track, album, artist or genre, leaving out what the queue holds",
            access: .user, response: "PickList", query: ["seedType", "seed", "limit", "exclude"]),
        .init(
            method: "get", path: "/api/v1/sonic-path",
            summary: "A path of small steps in sound from one track to another (409 before they are analysed)",
            access: .user, response: "PickList", query: ["from", "to", "count"]),
        .init(
            method: "get", path: "/api/v1/mixes",
            summary: "My daily mixes and Rediscover (my own playlists, made daily; made now if never)",
            access: .user, response: "MixList"),
        .init(
            method: "post", path: "/api/v1/mixes/refresh", summary: "Make my daily mixes and Rediscover again now",
            access: .user, response: "MixList"),
        .init(
            method: "get", path: "/api/v1/tracks/{id}/feedback", summary: "My thumbs up or down on a track",
            access: .user, response: "Feedback"),
        .init(
            method: "put", path: "/api/v1/tracks/{id}/feedback",
            summary: "Thumbs up (a star), down (never recommended to me again) or none", access: .user,
            request: "Feedback", response: "Feedback"),
        .init(
            method: "get", path: "/api/v1/genres", summary: "Genres with album and track counts", access: .user,
            response: "GenreList"),
        .init(
            method: "get", path: "/api/v1/folders", summary: "The root folder of each library I may see",
            access: .user, response: "FolderList"),
        .init(
            method: "get", path: "/api/v1/folders/{id}", summary: "A folder: its subfolders and tracks",
            access: .user, response: "FolderDetail"),
        .init(
            method: "get", path: "/api/v1/search",
            summary:
                "Search artists, albums, tracks, composers, genres and playlists (any script, typos forgiven, "
                + "artist:/album:/genre:/year: fields, \"phrases\", -exclusions)", access: .user,
            response: "SearchResult", query: ["q", "offset", "limit", "kinds"]),
        .init(
            method: "get", path: "/api/v1/me/starred", summary: "What I starred", access: .user,
            response: "SearchResult"),
        .init(
            method: "put", path: "/api/v1/me/annotations/{id}", summary: "Star or rate a track, album or artist",
            access: .user, request: "AnnotationUpdate", response: "Annotation"),
    ]

    static let playlistOperations: [Operation] = [
        .init(
            method: "get", path: "/api/v1/playlists", summary: "My playlists and others' public ones",
            access: .user, response: "PlaylistList"),
        .init(
            method: "post", path: "/api/v1/playlists", summary: "Create a playlist", access: .user,
            request: "NewPlaylist", response: "Playlist", status: 201),
        .init(
            method: "post", path: "/api/v1/playlists/import",
            summary: "Import an M3U file (the request body) as a new playlist", access: .user, request: "m3u",
            response: "ImportResult", status: 201, query: ["name"]),
        .init(
            method: "get", path: "/api/v1/playlists/{id}", summary: "A playlist with its tracks", access: .user,
            response: "PlaylistDetail"),
        .init(
            method: "patch", path: "/api/v1/playlists/{id}",
            summary: "Rename, describe, publish, or replace the track list (reorder, remove)", access: .user,
            request: "PlaylistUpdate", response: "Playlist"),
        .init(
            method: "delete", path: "/api/v1/playlists/{id}", summary: "Delete a playlist", access: .user,
            status: 204),
        .init(
            method: "post", path: "/api/v1/playlists/{id}/tracks", summary: "Append tracks", access: .user,
            request: "TrackIDs", response: "Playlist"),
        .init(
            method: "get", path: "/api/v1/playlists/{id}/m3u", summary: "Export as extended M3U", access: .user,
            response: "m3u"),
        .init(
            method: "post", path: "/api/v1/smart-playlists",
            summary: "A new smart playlist: rules in Navidrome's .nsp shape, its tracks following them",
            access: .user, request: "SmartPlaylistBody", response: "Playlist", status: 201),
        .init(
            method: "post", path: "/api/v1/smart-playlists/preview",
            summary: "How many tracks rules pick now, and the first 50", access: .user, request: "SmartPlaylistBody",
            response: "SmartPreview"),
        .init(
            method: "post", path: "/api/v1/smart-playlists/import", summary: "Import a Navidrome .nsp file",
            access: .user, request: "SmartRules", response: "Playlist", status: 201),
        .init(
            method: "get", path: "/api/v1/smart-playlists/{id}", summary: "A smart playlist as an .nsp file",
            access: .user, response: "SmartRules"),
        .init(
            method: "put", path: "/api/v1/smart-playlists/{id}",
            summary: "Change a smart playlist's rules, name, comment or visibility", access: .user,
            request: "SmartPlaylistBody", response: "Playlist"),
        .init(
            method: "get", path: "/api/v1/sessions",
            summary:
                "My open players (web tabs, Subsonic apps); household=true adds what others play where they show it; an admin's all=true lists everyone's",
            access: .user, response: "PlayerSessionList", query: ["all", "household"]),
        .init(
            method: "get", path: "/api/v1/sessions/events",
            summary:
                "A web player's session as Server-Sent Events (`session`, `sessions`, `command`); open while it plays",
            access: .user, response: "events", query: ["id", "name", "device", "client"]),
        .init(
            method: "post", path: "/api/v1/sessions/{id}/state", summary: "What one of my players plays now",
            access: .user, request: "SessionState", status: 204),
        .init(
            method: "patch", path: "/api/v1/sessions/{id}", summary: "Rename a player, or mark it my jukebox",
            access: .user, request: "SessionChange", response: "PlayerSession"),
        .init(
            method: "post", path: "/api/v1/sessions/{id}/commands",
            summary:
                "Control one of my players (play, pause, next, previous, seek, volume, load, enqueue, clear, remove, shuffle, stop, transfer); an admin may stop anyone's",
            access: .user, request: "SessionCommand", status: 202),
        .init(
            method: "get", path: "/api/v1/me/queue", summary: "My play queue (follows me across devices)",
            access: .user, response: "PlayQueue"),
        .init(
            method: "put", path: "/api/v1/me/queue", summary: "Save my play queue", access: .user,
            request: "PlayQueueUpdate", status: 204),
        .init(
            method: "post", path: "/api/v1/admin/libraries", summary: "Add a music folder and scan it",
            access: .admin, request: "NewLibrary", response: "Library", status: 201),
        .init(
            method: "delete", path: "/api/v1/admin/libraries/{id}",
            summary: "Remove a folder added here (its tracks leave with the scan this starts)", access: .admin,
            status: 204),
        .init(
            method: "get", path: "/api/v1/admin/scan/events",
            summary: "Scan progress as Server-Sent Events (`progress`, `done`)", access: .admin,
            response: "events"),
    ]

    static let accountOperations: [Operation] = [
        .init(
            method: "post", path: "/api/v1/auth/login", summary: "Sign in; sets the session cookie", access: .anyone,
            request: "Login", response: "LoginResult"),
        .init(method: "post", path: "/api/v1/auth/logout", summary: "Sign out", access: .anyone, status: 204),
        .init(
            method: "get", path: "/api/v1/auth/setup", summary: "Whether first-run setup is needed",
            access: .anyone, response: "SetupStatus"),
        .init(
            method: "post", path: "/api/v1/auth/setup", summary: "Create the first admin with the setup token",
            access: .anyone, request: "Setup", response: "NewUserResult", status: 201),
        .init(method: "get", path: "/api/v1/me", summary: "My profile", access: .user, response: "User"),
        .init(
            method: "patch", path: "/api/v1/me", summary: "Update my profile", access: .user,
            request: "ProfileUpdate", response: "User"),
        .init(
            method: "put", path: "/api/v1/me/password", summary: "Change my password", access: .user,
            request: "PasswordChange", status: 204),
        .init(
            method: "get", path: "/api/v1/me/preferences", summary: "My preferences", access: .user,
            response: "Preferences"),
        .init(
            method: "put", path: "/api/v1/me/preferences", summary: "Replace my preferences", access: .user,
            request: "Preferences", response: "Preferences"),
        .init(
            method: "get", path: "/api/v1/tracks/{id}/stream",
            summary: "Stream a track: the original, or transcoded (503 with Retry-After when every transcoder is busy)",
            access: .user, response: "audio", query: ["format", "bitrate", "offset", "estimate"]),
        .init(
            method: "head", path: "/api/v1/tracks/{id}/stream", summary: "A stream's headers", access: .user,
            query: ["format", "bitrate", "offset", "estimate"]),
        .init(
            method: "get", path: "/api/v1/covers/{id}",
            summary: "Cover of an album, artist or track, scaled (a placeholder when there is none)", access: .user,
            response: "image", query: ["size", "format"]),
        .init(method: "get", path: "/api/v1/me/avatar", summary: "My avatar image", access: .user, response: "image"),
        .init(
            method: "put", path: "/api/v1/me/avatar", summary: "Upload my avatar (JPEG, PNG, WebP, GIF; 2 MB)",
            access: .user, request: "image", status: 204),
        .init(method: "delete", path: "/api/v1/me/avatar", summary: "Remove my avatar", access: .user, status: 204),
        .init(
            method: "get", path: "/api/v1/users/{id}/avatar", summary: "A household member's avatar",
            access: .user, response: "image"),
        .init(
            method: "get", path: "/api/v1/me/sessions", summary: "My sessions", access: .user,
            response: "SessionList"),
        .init(
            method: "delete", path: "/api/v1/me/sessions/{id}", summary: "Revoke one of my sessions",
            access: .user, status: 204),
        .init(
            method: "post", path: "/api/v1/me/app-password",
            summary: "Regenerate my Subsonic app password (shown once)", access: .user, response: "Secret"),
        .init(
            method: "get", path: "/api/v1/me/linked-accounts",
            summary: "The scrobblers I can link, with my link to each: what was sent and what waits", access: .user,
            response: "LinkedAccountList"),
        .init(
            method: "put", path: "/api/v1/me/linked-accounts/{plugin}",
            summary: "Link my account at a scrobbler's service with a token (checked with the service)",
            access: .user, request: "LinkToken", response: "LinkedAccount"),
        .init(
            method: "post", path: "/api/v1/me/linked-accounts/{plugin}/authorize",
            summary: "Start linking my account on the service's own page (Last.fm): where to send me",
            access: .user, response: "Authorization"),
        .init(
            method: "delete", path: "/api/v1/me/linked-accounts/{plugin}", summary: "Unlink my account",
            access: .user, status: 204),
        .init(
            method: "get", path: "/api/v1/me/plugin-settings", summary: "My settings for the plugins that have some",
            access: .user, response: "PluginSettingsList"),
        .init(
            method: "put", path: "/api/v1/me/plugin-settings/{plugin}", summary: "Change my settings for a plugin",
            access: .user, request: "PluginSettingValues", response: "PluginSettings"),
        .init(
            method: "post", path: "/api/v1/me/now-playing", summary: "I started a track (scrobblers' now playing)",
            access: .user, request: "NowPlaying", status: 204),
        .init(
            method: "get", path: "/api/v1/me/api-keys", summary: "My OpenSubsonic API keys", access: .user,
            response: "APIKeyList"),
        .init(
            method: "post", path: "/api/v1/me/api-keys", summary: "Create an API key (shown once)",
            access: .user, request: "NewAPIKey", response: "APIKey", status: 201),
        .init(
            method: "delete", path: "/api/v1/me/api-keys/{id}", summary: "Revoke an API key", access: .user,
            status: 204),
        .init(
            method: "get", path: "/api/v1/me/history", summary: "My listening history, newest first",
            access: .user, response: "PlayPage", query: ["from", "to", "offset", "limit"]),
        .init(
            method: "post", path: "/api/v1/me/history", summary: "Record a play", access: .user,
            request: "NewPlay", response: "Play", status: 201),
        .init(
            method: "delete", path: "/api/v1/me/history", summary: "Delete my plays in a date range",
            access: .user, response: "Deleted", query: ["from", "to", "all"]),
        .init(
            method: "delete", path: "/api/v1/me/history/{id}", summary: "Delete one play", access: .user,
            status: 204),
        .init(
            method: "get", path: "/api/v1/me/history.csv", summary: "My history as CSV", access: .user,
            response: "csv"),
        .init(
            method: "get", path: "/api/v1/me/export", summary: "Everything I own, as JSON", access: .user,
            response: "Export"),
        .init(
            method: "get", path: "/api/v1/admin/users", summary: "Every user", access: .admin,
            response: "UserList"),
        .init(
            method: "post", path: "/api/v1/admin/users", summary: "Create a user", access: .admin,
            request: "NewUser", response: "NewUserResult", status: 201),
        .init(method: "get", path: "/api/v1/admin/users/{id}", summary: "One user", access: .admin, response: "User"),
        .init(
            method: "patch", path: "/api/v1/admin/users/{id}", summary: "Change a user's role, limits or profile",
            access: .admin, request: "UserUpdate", response: "User"),
        .init(
            method: "delete", path: "/api/v1/admin/users/{id}", summary: "Delete a user and all they own",
            access: .admin, status: 204),
        .init(
            method: "put", path: "/api/v1/admin/users/{id}/password", summary: "Set a user's password",
            access: .admin, request: "PasswordChange", status: 204),
        .init(
            method: "get", path: "/api/v1/admin/users/{id}/sessions", summary: "A user's sessions",
            access: .admin, response: "SessionList"),
        .init(
            method: "delete", path: "/api/v1/admin/sessions/{id}", summary: "Revoke anyone's session",
            access: .admin, status: 204),
        .init(
            method: "get", path: "/api/v1/admin/audit", summary: "The audit log, newest first", access: .admin,
            response: "AuditPage", query: ["offset", "limit"]),
        .init(
            method: "get", path: "/api/v1/admin/libraries", summary: "The music folders", access: .admin,
            response: "LibraryList"),
        .init(
            method: "get", path: "/api/v1/admin/scan", summary: "Scan progress", access: .admin,
            response: "ScanState"),
        .init(method: "post", path: "/api/v1/admin/scan", summary: "Start a scan", access: .admin, status: 202),
        .init(
            method: "get", path: "/api/v1/admin/analysis",
            summary: "How far the sonic analysis is (measured, failed with reasons, pending, paused)", access: .admin,
            response: "AnalysisState"),
        .init(
            method: "get", path: "/api/v1/admin/plugins", summary: "The plugins and their state",
            access: .admin, response: "PluginList"),
        .init(
            method: "put", path: "/api/v1/admin/plugins/{id}",
            summary:
                "Enable, disable or configure a plugin now (kept; the configuration file wins where it sets a key)",
            access: .admin, request: "PluginChange", response: "Plugin"),
        .init(
            method: "get", path: "/api/v1/admin/log-levels",
            summary: "The log levels: the general one and those set per subsystem", access: .admin,
            response: "LogLevelSettings"),
        .init(
            method: "put", path: "/api/v1/admin/log-levels",
            summary: "Set the log levels until the restart (a subsystem left out follows the general level)",
            access: .admin, request: "LogLevelSettings", response: "LogLevelSettings"),
    ]

    static let json: [UInt8] = {
        let data = try? JSONSerialization.data(
            withJSONObject: document, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
        return [UInt8](data ?? Data())
    }()

    static var document: [String: Any] {
        var paths: [String: [String: Any]] = [:]
        for operation in operations {
            paths[operation.path, default: [:]][operation.method] = describe(operation)
        }
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "Canto native API", "version": "1.0.0",
                "description": "The JSON API of the Canto music server, used by its web UI. Sign in with "
                    + "POST /api/v1/auth/login: the session comes back as an HttpOnly cookie and as a bearer token. "
                    + "Writes made with the cookie must carry a same-origin Origin header.",
            ],
            "paths": paths,
            "components": [
                "securitySchemes": [
                    "cookie": ["type": "apiKey", "in": "cookie", "name": "canto_session"],
                    "bearer": ["type": "http", "scheme": "bearer"],
                ],
                "schemas": OpenAPISchemas.all,
            ],
        ]
    }

    static func describe(_ operation: Operation) -> [String: Any] {
        var description: [String: Any] = [
            "summary": operation.summary,
            "operationId": operation.method + (operation.path.hasPrefix("/api/v1/") ? "" : "Public")
                + operation.path.replacingOccurrences(of: "/api/v1", with: "")
                .split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map { $0.capitalized }.joined(),
            "tags": [
                operation.access == .admin
                    ? "admin"
                    : operation.path.hasPrefix("/api/v1/") ? String(operation.path.split(separator: "/")[2]) : "public"
            ],
        ]
        if operation.access != .anyone { description["security"] = [["cookie": []], ["bearer": []]] }
        var parameters: [[String: Any]] = []
        for match in operation.path.matches(of: /\{(\w+)\}/) {
            parameters.append(["name": String(match.1), "in": "path", "required": true, "schema": ["type": "string"]])
        }
        for name in operation.query {
            parameters.append(["name": name, "in": "query", "required": false, "schema": ["type": "string"]])
        }
        if !parameters.isEmpty { description["parameters"] = parameters }
        if let request = operation.request {
            description["requestBody"] = ["required": true, "content": content(request)]
        }
        var responses: [String: Any] = [:]
        var success: [String: Any] = ["description": "Success"]
        if let response = operation.response { success["content"] = content(response) }
        responses["\(operation.status)"] = success
        let error: [String: Any] = [
            "description": "An error",
            "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]],
        ]
        responses["default"] = error
        description["responses"] = responses
        return description
    }

    static func content(_ name: String) -> [String: Any] {
        switch name {
        case "image": ["image/*": ["schema": ["type": "string", "format": "binary"]]]
        case "csv": ["text/csv": ["schema": ["type": "string"]]]
        case "audio": ["audio/*": ["schema": ["type": "string", "format": "binary"]]]
        case "m3u": ["audio/x-mpegurl": ["schema": ["type": "string"]]]
        case "events": ["text/event-stream": ["schema": ["type": "string"]]]
        case "raw": ["*/*": ["schema": ["type": "string", "format": "binary"]]]
        case "any": ["*/*": ["schema": [String: Any]()]]
        default: ["application/json": ["schema": ["$ref": "#/components/schemas/\(name)"]]]
        }
    }
}
