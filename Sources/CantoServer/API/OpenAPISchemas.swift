import Foundation

/// The JSON shapes of `Wire`, as OpenAPI schemas.
enum OpenAPISchemas {
    static var string: [String: Any] { ["type": "string"] }
    static var optionalString: [String: Any] { ["type": ["string", "null"]] }
    static var integer: [String: Any] { ["type": "integer"] }
    static var optionalInteger: [String: Any] { ["type": ["integer", "null"]] }
    static var boolean: [String: Any] { ["type": "boolean"] }
    static var number: [String: Any] { ["type": "number"] }
    static var optionalNumber: [String: Any] { ["type": ["number", "null"]] }
    static var dateTime: [String: Any] { ["type": "string", "format": "date-time"] }
    static var optionalDateTime: [String: Any] { ["type": ["string", "null"], "format": "date-time"] }

    static func ref(_ name: String) -> [String: Any] { ["$ref": "#/components/schemas/\(name)"] }
    static func array(_ items: [String: Any]) -> [String: Any] { ["type": "array", "items": items] }
    static func object(_ properties: [String: [String: Any]], required: [String] = []) -> [String: Any] {
        ["type": "object", "properties": properties, "required": required]
    }
    /// The one list shape (`Wire.Page`): every list, paged or not.
    static func page(_ item: String) -> [String: Any] {
        object(
            ["items": array(ref(item)), "offset": integer, "limit": integer, "more": boolean, "total": integer],
            required: ["items", "offset", "limit", "more"])
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
                "language": string, "scrobbling": boolean, "listeningVisible": boolean, "timeZone": string,
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

    static var catalog: [String: Any] {
        let marks: [String: [String: Any]] = ["starred": boolean, "rating": optionalInteger]
        let ids = array(string)
        return [
            "ArtistItem": object(
                ["id": string, "name": string, "albumCount": integer, "trackCount": integer].merging(marks) { a, _ in a
                },
                required: ["id", "name", "albumCount", "trackCount", "starred"]),
            "AlbumItem": object(
                [
                    "id": string, "title": string, "artist": string, "artistId": string, "year": optionalInteger,
                    "trackCount": integer, "discCount": integer, "durationMs": integer, "compilation": boolean,
                    "coverArt": optionalString, "genres": ids,
                ].merging(marks) { a, _ in a },
                required: ["id", "title", "artist", "artistId", "trackCount", "discCount", "durationMs", "starred"]),
            "TrackItem": object(
                [
                    "id": string, "title": string, "album": string, "albumId": string, "artist": string,
                    "artistId": optionalString, "albumArtist": string, "trackNumber": optionalInteger,
                    "discNumber": optionalInteger, "discSubtitle": optionalString, "durationMs": integer,
                    "year": optionalInteger, "suffix": string, "bitRate": integer,
                    "coverArt": optionalString,
                    "replayGain": [
                        "type": ["object", "null"],
                        "properties": [
                            "trackGain": optionalNumber, "trackPeak": optionalNumber, "albumGain": optionalNumber,
                            "albumPeak": optionalNumber,
                        ],
                    ],
                ].merging(marks) { a, _ in a },
                required: ["id", "title", "album", "albumId", "artist", "durationMs", "suffix", "starred"]),
            "ArtistPage": page("ArtistItem"), "AlbumPage": page("AlbumItem"),
            "ArtistDetail": object(
                ["artist": ref("ArtistItem"), "albums": array(ref("AlbumItem")), "topTracks": array(ref("TrackItem"))],
                required: ["artist", "albums", "topTracks"]),
            "AlbumDetail": object(
                [
                    "album": ref("AlbumItem"),
                    "discs": array(
                        object(
                            ["number": integer, "subtitle": optionalString, "tracks": array(ref("TrackItem"))],
                            required: ["number", "tracks"])),
                ], required: ["album", "discs"]),
            "Genre": object(
                ["name": string, "albumCount": integer, "trackCount": integer],
                required: ["name", "albumCount", "trackCount"]),
            "GenreList": page("Genre"),
            "Folder": object(["id": string, "name": string], required: ["id", "name"]),
            "FolderList": page("Folder"),
            "FolderDetail": object(
                [
                    "folder": object(
                        ["id": string, "name": string, "parentId": optionalString], required: ["id", "name"]),
                    "folders": array(ref("Folder")), "tracks": array(ref("TrackItem")),
                ], required: ["folder", "folders", "tracks"]),
            "SearchResult": object(
                [
                    "artists": array(ref("ArtistItem")), "albums": array(ref("AlbumItem")),
                    "tracks": array(ref("TrackItem")), "composers": array(ref("ArtistItem")),
                    "genres": array(ref("Genre")), "playlists": array(ref("PlaylistHit")),
                    "didYouMean": optionalString,
                ], required: ["artists", "albums", "tracks"]),
            "PlaylistHit": object(
                ["id": string, "name": string, "ownerId": string, "public": boolean, "trackCount": integer],
                required: ["id", "name", "ownerId", "public", "trackCount"]),
            "AnnotationUpdate": object(
                [
                    "kind": ["type": "string", "enum": ["track", "album", "artist"]], "starred": boolean,
                    "rating": ["type": "integer", "minimum": 0, "maximum": 5],
                ], required: ["kind"]),
            "Annotation": object(
                ["itemId": string, "kind": string, "starred": boolean, "rating": optionalInteger],
                required: ["itemId", "kind", "starred"]),
            "SmartRules": [
                "type": "object", "additionalProperties": true,
                "description":
                    "Navidrome .nsp rules: {\"all\"|\"any\": [rule or group], \"sort\", \"order\", \"limit\"}; a rule is {operator: {field: value}}",
            ],
            "SmartPlaylistBody": object([
                "name": string, "comment": optionalString, "public": boolean, "rules": ref("SmartRules"),
            ]),
            "SmartPreview": object(
                ["count": integer, "tracks": array(ref("TrackItem"))], required: ["count", "tracks"]),
            "Playlist": object(
                [
                    "id": string, "name": string, "comment": optionalString, "public": boolean, "ownerId": string,
                    "owner": string, "trackCount": integer, "durationMs": integer, "updatedAt": dateTime,
                    "editable": boolean, "smart": boolean,
                ],
                required: [
                    "id", "name", "public", "ownerId", "owner", "trackCount", "durationMs", "updatedAt", "editable",
                ]),
            "PlaylistList": page("Playlist"),
            "PlayerSession": object(
                [
                    "id": string, "userId": string, "name": string,
                    "kind": ["type": "string", "enum": ["web", "subsonic", "target"]], "client": string,
                    "device": optionalString, "trackId": optionalString, "positionMs": integer,
                    "state": ["type": "string", "enum": ["playing", "paused", "stopped"]], "volume": integer,
                    "queue": array(string), "queueIndex": optionalInteger, "jukebox": boolean, "updatedAt": dateTime,
                    "connected": boolean,
                ],
                required: [
                    "id", "userId", "name", "kind", "client", "positionMs", "state", "volume", "queue", "jukebox",
                    "updatedAt",
                ]),
            "PlayerSessionList": page("PlayerSession"),
            "SessionState": object([
                "trackId": optionalString, "positionMs": optionalInteger, "state": optionalString,
                "volume": optionalInteger, "queue": array(string), "queueIndex": optionalInteger,
            ]),
            "SessionChange": object(["name": optionalString, "jukebox": boolean]),
            "SessionCommand": object(
                [
                    "action": string, "trackIds": array(string), "index": optionalInteger,
                    "positionMs": optionalInteger, "volume": optionalInteger, "play": boolean, "from": optionalString,
                ], required: ["action"]),
            "PlaylistDetail": object(
                ["playlist": ref("Playlist"), "tracks": array(ref("TrackItem"))], required: ["playlist", "tracks"]),
            "NewPlaylist": object(
                ["name": string, "comment": string, "public": boolean, "trackIds": ids], required: ["name"]),
            "PlaylistUpdate": object(["name": string, "comment": string, "public": boolean, "trackIds": ids]),
            "TrackIDs": object(["trackIds": ids], required: ["trackIds"]),
            "ImportResult": object(
                ["playlist": ref("Playlist"), "matched": integer, "unmatched": ids],
                required: ["playlist", "matched", "unmatched"]),
            "PlayQueue": object(
                [
                    "tracks": array(ref("TrackItem")), "currentIndex": optionalInteger, "positionMs": integer,
                    "changedAt": optionalDateTime, "changedBy": optionalString,
                ], required: ["tracks", "positionMs"]),
            "PlayQueueUpdate": object(
                ["trackIds": ids, "currentIndex": optionalInteger, "positionMs": integer], required: ["trackIds"]),
        ]
    }

    static var all: [String: Any] {
        catalog.merging(accounts) { a, _ in a }.merging(system) { a, _ in a }
    }

    static var accounts: [String: Any] {
        [
            "Error": object(
                ["error": object(["code": string, "message": string], required: ["code", "message"])],
                required: ["error"]),
            "User": user, "UserList": page("User"),
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
            "Session": session, "SessionList": page("Session"),
            "Secret": object(["secret": string], required: ["secret"]),
            "APIKey": apiKey, "APIKeyList": page("APIKey"),
            "LinkedAccount": object(
                [
                    "plugin": string, "name": string, "linked": boolean, "account": optionalString,
                    "state": ["type": ["string", "null"], "enum": ["linked", "reconnect", NSNull()] as [Any]],
                    "message": optionalString, "sent": integer, "lastSentAt": optionalDateTime, "waiting": integer,
                    "linkStyle": ["type": "string", "enum": ["token", "web"]],
                ], required: ["plugin", "name", "linked", "sent", "waiting", "linkStyle"]),
            "Authorization": object(["url": string], required: ["url"]),
            "LinkedAccountList": page("LinkedAccount"),
            "LinkToken": object(["token": string], required: ["token"]),
            "PluginSettings": object(
                [
                    "plugin": string, "name": string,
                    "settings": array(
                        object(
                            [
                                "key": string, "label": string, "help": optionalString,
                                "kind": ["type": "string", "enum": ["bool", "integer", "string", "choice"]],
                                "choices": array(string), "value": string,
                            ], required: ["key", "label", "kind", "choices", "value"])),
                ], required: ["plugin", "name", "settings"]),
            "PluginSettingsList": page("PluginSettings"),
            "PluginSettingValues": object(
                ["values": ["type": "object", "additionalProperties": string]], required: ["values"]),
            "NowPlaying": object(["trackId": string, "client": string], required: ["trackId"]),
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
            "Library": object(
                ["id": string, "name": string, "path": string, "configured": boolean],
                required: ["id", "name", "path", "configured"]),
            "LibraryList": page("Library"),
            "NewLibrary": object(["path": string, "name": string], required: ["path"]),
            "ScanState": object(
                [
                    "running": boolean, "filesSeen": integer, "expectedFiles": integer, "startedAt": optionalDateTime,
                    "completedScans": integer, "summary": ["type": "object"], "lastError": optionalString,
                ], required: ["running", "filesSeen", "expectedFiles", "completedScans", "summary"]),
            "Pick": object(
                ["track": ref("TrackItem"), "similarity": ["type": ["number", "null"]], "reason": string],
                required: ["track", "reason"]),
            "PickList": page("Pick"),
            "StatsTotals": object(
                ["plays": integer, "skips": integer, "minutes": number, "firstListens": integer],
                required: ["plays", "skips", "minutes", "firstListens"]),
            "StatsListening": object(
                [
                    "from": string, "to": string, "unit": string,
                    "points": array(
                        object(
                            [
                                "start": string, "plays": integer, "skips": integer, "minutes": number,
                                "firstListens": integer,
                            ], required: ["start", "plays", "skips", "minutes", "firstListens"])),
                    "totals": ref("StatsTotals"), "previous": ["oneOf": [ref("StatsTotals"), ["type": "null"]]],
                ], required: ["from", "to", "unit", "points", "totals"]),
            "StatsChartItem": object(
                [
                    "id": string, "name": string, "artist": optionalString, "plays": integer, "minutes": number,
                    "rank": integer, "previousRank": optionalInteger, "previousPlays": integer,
                ], required: ["id", "name", "plays", "minutes", "rank", "previousPlays"]),
            "StatsChart": object(
                [
                    "kind": string, "from": string, "to": string, "items": array(ref("StatsChartItem")),
                    "rising": array(ref("StatsChartItem")), "falling": array(ref("StatsChartItem")),
                ], required: ["kind", "from", "to", "items", "rising", "falling"]),
            "StatsShare": object(["name": string, "plays": integer], required: ["name", "plays"]),
            "StatsStreak": object(
                ["days": integer, "from": optionalString, "to": optionalString], required: ["days"]),
            "StatsHabits": object(
                [
                    "from": string, "to": string, "heatmap": array(array(integer)),
                    "longestStreak": ref("StatsStreak"), "currentStreak": ref("StatsStreak"), "newShare": number,
                    "skipRate": number, "sessions": integer, "averageSessionMinutes": number,
                    "formats": array(ref("StatsShare")), "clients": array(ref("StatsShare")),
                ],
                required: [
                    "from", "to", "heatmap", "longestStreak", "currentStreak", "newShare", "skipRate", "sessions",
                    "averageSessionMinutes", "formats", "clients",
                ]),
            "StatsTaste": object(
                [
                    "from": string, "to": string,
                    "months": array(
                        object(
                            [
                                "month": string, "plays": integer, "genres": array(ref("StatsShare")),
                                "decades": array(ref("StatsShare")), "tempo": optionalNumber,
                                "loudness": optionalNumber, "energy": optionalNumber,
                            ], required: ["month", "plays", "genres", "decades"])),
                ], required: ["from", "to", "months"]),
            "StatsReview": object(
                [
                    "year": integer, "plays": integer, "minutes": number, "topArtists": array(ref("StatsChartItem")),
                    "topTracks": array(ref("StatsChartItem")), "discoveryMonth": optionalString,
                    "discoveries": integer, "topTrackFirstListen": optionalDateTime,
                ], required: ["year", "plays", "minutes", "topArtists", "topTracks", "discoveries"]),
            "Count": object(["name": string, "count": integer], required: ["name", "count"]),
            "LogLevelSettings": object(
                [
                    "level": string, "subsystems": ["type": "object", "additionalProperties": string],
                    "available": array(string),
                ], required: ["level", "subsystems"]),
            "ServerStats": object(
                [
                    "since": dateTime,
                    "hours": array(
                        object(
                            [
                                "hour": dateTime, "plays": integer, "skips": integer, "streams": integer,
                                "transcodes": integer, "bytes": integer,
                            ], required: ["hour", "plays", "skips", "streams", "transcodes", "bytes"])),
                    "activeListeners": integer, "streamsByFormat": array(ref("Count")),
                    "transcodesByFormat": array(ref("Count")), "bytesServed": integer,
                    "caches": array(
                        object(
                            ["name": string, "hits": integer, "misses": integer, "hitRate": optionalNumber],
                            required: ["name", "hits", "misses"])),
                    "topClients": array(ref("Count")),
                    "library": object(
                        [
                            "tracks": integer, "albums": integer, "artists": integer, "growth": array(ref("Count")),
                        ], required: ["tracks", "albums", "artists", "growth"]),
                    "scans": array(
                        object(
                            [
                                "finishedAt": dateTime, "seconds": number, "added": integer, "updated": integer,
                                "removed": integer, "errors": integer, "cancelled": boolean,
                            ],
                            required: [
                                "finishedAt", "seconds", "added", "updated", "removed", "errors", "cancelled",
                            ])),
                    "slowRequests": array(
                        object(
                            [
                                "at": dateTime, "method": string, "path": string, "status": integer,
                                "milliseconds": number,
                            ], required: ["at", "method", "path", "status", "milliseconds"])),
                ],
                required: [
                    "since", "hours", "activeListeners", "streamsByFormat", "transcodesByFormat", "bytesServed",
                    "caches", "topClients", "library", "scans", "slowRequests",
                ]),
            "SourceOutcomes": object(
                [
                    "source": string, "shown": integer, "played": integer, "skipped": integer, "starred": integer,
                    "thumbsUp": integer, "thumbsDown": integer, "acceptance": number, "skipRate": number,
                    "minutes": number, "weight": optionalNumber,
                ],
                required: [
                    "source", "shown", "played", "skipped", "starred", "thumbsUp", "thumbsDown", "acceptance",
                    "skipRate", "minutes",
                ]),
            "RecommendationReport": object(
                [
                    "adaptive": boolean, "since": dateTime, "sources": array(ref("SourceOutcomes")),
                    "listeners": array(
                        object(
                            ["userId": string, "username": string, "sources": array(ref("SourceOutcomes"))],
                            required: ["userId", "username", "sources"])),
                ], required: ["adaptive", "since", "sources", "listeners"]),
            "HouseholdChart": object(
                ["listeners": integer, "chart": ref("StatsChart")], required: ["listeners", "chart"]),
            "Entitlements": object(
                [
                    "maxBitrate": optionalInteger, "originalFiles": boolean, "downloads": boolean, "shares": boolean,
                    "concurrentStreams": optionalInteger, "apiKeys": optionalInteger, "storageKB": optionalInteger,
                    "libraries": ["type": ["array", "null"], "items": string],
                ], required: ["originalFiles", "downloads", "shares"]),
            "Plan": object(
                [
                    "id": string, "name": string, "priceMinor": integer, "currency": string,
                    "interval": ["type": "string", "enum": ["month", "year", "none"]], "trialDays": integer,
                    "entitlements": ref("Entitlements"),
                ], required: ["id", "name", "priceMinor", "currency", "interval", "trialDays", "entitlements"]),
            "PlanBody": object(
                [
                    "name": string, "priceMinor": integer, "currency": string,
                    "interval": ["type": "string", "enum": ["month", "year", "none"]], "trialDays": integer,
                    "entitlements": ref("Entitlements"),
                ], required: ["name", "priceMinor", "currency", "interval", "trialDays", "entitlements"]),
            "PlanList": object(
                ["items": array(ref("Plan")), "providers": array(string)], required: ["items", "providers"]),
            "CheckoutRequest": object(["planId": optionalString, "provider": optionalString]),
            "Redirect": object(["url": string], required: ["url"]),
            "MyPlan": object(
                [
                    "plan": ref("Plan"), "provider": optionalString, "status": optionalString,
                    "periodEnd": optionalDateTime, "graceUntil": optionalDateTime, "entitlements": ref("Entitlements"),
                ], required: ["plan", "entitlements"]),
            "PlanChange": object(
                [
                    "planId": string, "until": optionalDateTime, "note": optionalString, "amountMinor": optionalInteger,
                    "currency": optionalString,
                ], required: ["planId"]),
            "Ledger": object(
                [
                    "items": array(
                        object(
                            [
                                "id": integer, "at": dateTime, "userId": string,
                                "kind": ["type": "string", "enum": ["payment", "refund", "plan_change"]],
                                "planId": optionalString, "amountMinor": integer, "currency": string,
                                "provider": string, "reference": optionalString, "note": optionalString,
                            ],
                            required: ["id", "at", "userId", "kind", "amountMinor", "currency", "provider"])),
                    "months": [
                        "type": ["array", "null"],
                        "items": object(
                            ["month": string, "currency": string, "amountMinor": integer, "entries": integer],
                            required: ["month", "currency", "amountMinor", "entries"]),
                    ],
                ], required: ["items"]),
            "MixList": object(
                ["refreshedAt": optionalDateTime, "items": array(ref("Playlist"))], required: ["items"]),
            "Feedback": object(
                ["value": ["type": "string", "enum": ["up", "down", "none"]]], required: ["value"]),
            "AnalysisState": object(
                [
                    "total": integer, "analyzed": integer, "failed": integer, "pending": integer, "running": boolean,
                    "paused": boolean, "tracksPerSecond": ["type": ["number", "null"]],
                    "failures": array(
                        object(
                            ["trackId": string, "title": string, "reason": string],
                            required: ["trackId", "title", "reason"])),
                ], required: ["total", "analyzed", "failed", "pending", "running", "paused", "failures"]),
            "Plugin": object(
                [
                    "descriptor": object(
                        [
                            "id": string, "name": string, "version": string, "enabledByDefault": boolean,
                            "configurationKeys": array(string), "secretKeys": array(string),
                            "permissions": ref("PluginPermissions"), "userSettings": array(["type": "object"]),
                            "migrations": array(
                                object(["id": string, "statements": array(string)], required: ["id", "statements"])),
                        ], required: ["id", "name", "version"]),
                    "enabled": boolean,
                    "state": ["type": "string", "enum": ["disabled", "stopped", "running", "failed"]],
                    "capabilities": array(string), "message": optionalString,
                    "permissions": ref("PluginPermissions"), "failures": integer, "lastError": optionalString,
                    "settings": array(
                        object(
                            ["key": string, "value": optionalString, "secret": boolean, "locked": boolean],
                            required: ["key", "secret", "locked"])),
                ], required: ["descriptor", "enabled", "state", "capabilities", "permissions", "failures", "settings"]),
            "PluginChange": object([
                "enabled": boolean, "values": ["type": "object", "additionalProperties": optionalString],
            ]),
            "PluginPermissions": object(
                [
                    "networkHosts": array(string), "networkHostKeys": array(string), "linkedAccounts": boolean,
                    "listens": boolean, "routes": boolean, "publicRoutes": boolean, "listenerData": boolean,
                    "events": boolean, "importsListening": boolean, "payments": boolean,
                ],
                required: [
                    "networkHosts", "networkHostKeys", "linkedAccounts", "listens", "routes", "publicRoutes",
                    "listenerData", "events",
                ]),
            "PluginList": page("Plugin"),
        ]
    }
}
