#!/usr/bin/env python3
"""Drives a running Canto's OpenSubsonic API with the three Python client libraries and with
raw HTTP, and checks what they get against the fixture library's expectations.

    clients.py --base-url http://127.0.0.1:PORT --username U --password P --app-password A \
               --api-key K --expectations expectations.json

* py-sonic 1.2.0 (`libsonic`): legacy auth (`p=enc:` hex) and token auth; POST, `.view`.
* py-opensonic 10.4.1 (`libopensonic`, sync wrapper): token auth, API key; POST and GET.
* knuckles 1.2.0: token auth and clear `p`; GET and POST, bare method names.
* raw HTTP (urllib): every implemented endpoint as `f=json` and `f=xml`; the XML must be
  well-formed, in the Subsonic namespace and carry the same data as the JSON; errors too.

Every JSON `subsonic-response` seen, the libraries' included (harness.py hooks them), is
validated against the OpenSubsonic schemas copied into ../Schemas. Token auth uses the
Subsonic app password (the server cannot check tokens against the login password).

Adding an endpoint group: write its check functions (one per client, all optional) and add a
`Group` to GROUPS with the methods it covers; copy those methods' schemas with
`copy_schemas.py`. The run fails when a listed method was not called by raw HTTP in both
formats, or by a library that has it (CLIENT_GAPS lists what a library lacks).

Exit status 0 when everything passed; otherwise a numbered list of failures, exit 1.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

try:
    import knuckles
    import knuckles.exceptions as knuckles_errors
    import libopensonic
    import libopensonic.errors as opensonic_errors
    import libsonic
    import libsonic.errors as sonic_errors

    from harness import (
        NAMESPACE, Credentials, HTTPResult, Observer, RawClient, Report, Schemas, indent, install_library_hooks,
        observe_py_sonic,
    )
except ImportError as missing:
    sys.exit(f"subsonic clients: {missing} in {sys.executable}; `make test` installs the client libraries "
             "into .build/python-venv")

CLIENTS = ("py-sonic", "py-opensonic", "knuckles")
NO_SUCH_ID = "no-such-id-0000"

# Endpoints a library has no method for at all (not bugs; nothing to call).
CLIENT_GAPS: dict[str, dict[str, str]] = {
    "py-sonic": {
        "getOpenSubsonicExtensions": "py-sonic 1.2.0 has no OpenSubsonic endpoints",
        "tokenInfo": "py-sonic 1.2.0 has no API key auth",
        "getLyricsBySongId": "py-sonic 1.2.0 has no OpenSubsonic endpoints",
        "getPlayQueueByIndex": "py-sonic 1.2.0 has no OpenSubsonic endpoints",
        "savePlayQueueByIndex": "py-sonic 1.2.0 has no OpenSubsonic endpoints",
        "getSonicSimilarTracks": "py-sonic 1.2.0 has no OpenSubsonic endpoints",
        "findSonicPath": "py-sonic 1.2.0 has no OpenSubsonic endpoints",
    },
    "py-opensonic": {
        "updateShare": "py-opensonic 10.4.1 update_share fails client-side (sends the expires value as a key)",
    },
    "knuckles": {
        "tokenInfo": "knuckles 1.2.0 has no API key auth",
        "getLyricsBySongId": "knuckles 1.2.0 has no getLyricsBySongId",
        "getSonicSimilarTracks": "knuckles 1.2.0 has no sonicSimilarity endpoints",
        "findSonicPath": "knuckles 1.2.0 has no sonicSimilarity endpoints",
        "getPlayQueueByIndex": "knuckles 1.2.0 has no index-based play queue",
        "savePlayQueueByIndex": "knuckles 1.2.0 has no index-based play queue",
    },
}

# The auth mechanisms each client must have used by the end of the run.
MECHANISMS = {
    "raw": {"token", "password", "enc", "apiKey", "none"},
    "py-sonic": {"enc", "token"},
    "py-opensonic": {"token", "apiKey"},
    "knuckles": {"token", "password"},
}


@dataclass
class Context:
    args: argparse.Namespace
    expect: dict
    report: Report
    observer: Observer
    raw: RawClient
    host: str  # scheme and host, for py-sonic and py-opensonic, which take the port apart
    port: int
    opensonic_connections: list[Any] = field(default_factory=list)  # closed at the end
    # The catalog as raw browsing found it: IDs for the groups that come after it.
    library: LibraryView | None = None

    def py_sonic(self, password: str | None = None, legacy: bool = True) -> Any:
        connection = libsonic.Connection(
            self.host, self.args.username, password or self.args.app_password, port=self.port,
            appName="canto-harness", legacyAuth=legacy,
        )
        return observe_py_sonic(connection, self.observer)

    def py_opensonic(self, **options: Any) -> Any:
        if "api_key" not in options:
            options.setdefault("username", self.args.username)
            options.setdefault("password", self.args.app_password)
        connection = libopensonic.Connection(self.host, port=self.port, app_name="canto-harness", **options)
        self.opensonic_connections.append(connection)
        return connection

    def knuckles(self, password: str | None = None, **options: Any) -> Any:
        return knuckles.Subsonic(
            f"{self.host}:{self.port}", self.args.username, password or self.args.app_password, "canto-harness",
            use_https=False, **options,
        )

    def reset_throttle(self) -> None:
        """A successful sign-in forgets the failures before it (3 are free per name and
        address): call after each deliberate auth failure."""
        self.raw.send("ping", format="json")


# MARK: - The library as one client sees it


@dataclass
class LibraryView:
    folders: list[str] | None  # None: this client cannot list them (a known client bug)
    artists: dict[str, dict] = field(default_factory=dict)  # id -> name, albumCount
    albums: dict[str, dict] = field(default_factory=dict)  # id -> name, artist, artistId, songCount, compilation, songs
    songs: dict[str, dict] = field(default_factory=dict)  # id -> title, artist, album, albumId, suffix, disc, track
    genres: dict[str, dict] = field(default_factory=dict)  # name -> songCount, albumCount
    every_field: dict | None = None  # the every-field track, normalised (see every_field_from_json)
    artist_refs: dict[str, str | None] = field(default_factory=dict)  # artist ids songs and albums give -> name


def check_library(report: Report, view: LibraryView, expect: dict) -> None:
    """The same assertions for every client: what the fixture library should look like."""
    if view.folders is not None:
        report.check(len(view.folders) >= 1, "at least one music folder", f"{view.folders}")
    report.equal(len(view.songs), expect["trackCount"], "songs reached through artists and albums")
    expected_tracks = Counter((t["title"], t["artist"], t["album"], t["suffix"]) for t in expect["tracks"])
    actual_tracks = Counter((s["title"], s["artist"], s["album"], s["suffix"]) for s in view.songs.values())
    report.check(
        actual_tracks == expected_tracks, "songs: title, artist, album, suffix (exact Unicode)",
        f"missing {sorted((expected_tracks - actual_tracks).elements())}, "
        f"unexpected {sorted((actual_tracks - expected_tracks).elements())}",
    )
    by_name = {album["name"]: album for album in view.albums.values()}
    report.equal(sorted(by_name), sorted(album["title"] for album in expect["albums"]), "album names")
    report.equal(len(view.albums), len(expect["albums"]), "one album per expected album")
    for album_id, album in view.albums.items():
        strays = [song for song in album["songs"] if view.songs.get(song, {}).get("albumId") != album_id]
        report.check(not strays, f"{album['name']}: its songs' albumId is the album's id", f"{strays}")
    for expected in expect["albums"]:
        album = by_name.get(expected["title"])
        if album is None:
            continue
        name = expected["title"]
        report.equal(album["songCount"], expected["songCount"], f"{name}: songCount")
        report.equal(len(album["songs"]), expected["songCount"], f"{name}: songs listed")
        report.equal(album["artist"], expected["albumArtist"], f"{name}: album artist")
        report.equal(bool(album["compilation"]), expected["compilation"], f"{name}: isCompilation")
        discs = {view.songs[song]["disc"] or 1 for song in album["songs"] if song in view.songs}
        report.equal(len(discs), expected["discCount"], f"{name}: discs")
    multi = by_name.get(expect["multiDisc"]["title"])
    if report.check(multi is not None, "the multi-disc album is there"):
        report.equal(len(multi["songs"]), expect["multiDisc"]["songCount"], "multi-disc album: the songs of all discs")
        order = [(view.songs[s]["disc"], view.songs[s]["track"]) for s in multi["songs"] if s in view.songs]
        report.equal(order, [(1, 1), (1, 2), (2, 1), (2, 2)], "multi-disc album: songs in disc, track order")
    names = {artist["name"] for artist in view.artists.values()}
    missing = {album["albumArtist"] for album in expect["albums"]} - names
    report.check(not missing, "every album artist is listed by getArtists", f"missing {sorted(missing)}")
    for artist_id, artist in view.artists.items():
        albums = [a for a in view.albums.values() if a["artistId"] == artist_id]
        report.equal(artist["albumCount"], len(albums), f"artist {artist['name']}: albumCount")
    for genre in expect["everyField"]["genres"]:
        counts = view.genres.get(genre)
        report.check(bool(counts and counts["songCount"] >= 1 and counts["albumCount"] >= 1), f"genre {genre}",
                     f"{counts}")
    if report.check(view.every_field is not None, "the every-field track is there"):
        check_every_field(report, view.every_field, expect["everyField"])


UNSUPPORTED = object()  # a field the client library does not expose


def check_every_field(report: Report, actual: dict, expected: dict) -> None:
    for key, want in expected.items():
        got = actual.get(key)
        if got is UNSUPPORTED:
            continue
        if isinstance(want, float) and isinstance(got, (int, float)):
            report.check(abs(got - want) < 1e-6, f"every-field track: {key}", f"got {got!r}, expected {want!r}")
        else:
            report.equal(got, want, f"every-field track: {key}")


def every_field_from_json(song: dict) -> dict:
    gain = song.get("replayGain") or {}
    return {
        "title": song.get("title"), "album": song.get("album"), "albumArtist": song.get("displayAlbumArtist"),
        "artists": [a.get("name") for a in song.get("artists", [])],
        "genres": [g.get("name") for g in song.get("genres", [])], "isrc": song.get("isrc"),
        "bpm": song.get("bpm"), "comment": song.get("comment"), "composer": song.get("displayComposer"),
        "year": song.get("year"), "track": song.get("track"), "disc": song.get("discNumber"),
        "musicBrainzId": song.get("musicBrainzId"), "trackGain": gain.get("trackGain"),
        "trackPeak": gain.get("trackPeak"), "albumGain": gain.get("albumGain"), "albumPeak": gain.get("albumPeak"),
    }


def browse_json(call: Callable[..., dict], expect: dict) -> LibraryView:
    """Browses with any client that hands back the JSON `subsonic-response` (raw, py-sonic)."""
    folders = call("getMusicFolders")["musicFolders"]["musicFolder"]
    view = LibraryView(folders=[folder["name"] for folder in folders])
    for index in call("getArtists")["artists"]["index"]:
        for artist in index["artist"]:
            view.artists[artist["id"]] = {"name": artist["name"], "albumCount": artist.get("albumCount")}
    for artist_id in view.artists:
        for album in call("getArtist", id=artist_id)["artist"].get("album", []):
            full = call("getAlbum", id=album["id"])["album"]
            view.artist_refs[full.get("artistId")] = full.get("artist")
            for song in full.get("song", []):
                view.artist_refs[song.get("artistId")] = None
                for credit in song.get("artists", []) + song.get("albumArtists", []):
                    view.artist_refs[credit["id"]] = credit["name"]
            view.albums[full["id"]] = {
                "name": full["name"], "artist": full.get("artist"), "artistId": full.get("artistId"),
                "songCount": full["songCount"], "compilation": full.get("isCompilation"),
                "songs": [song["id"] for song in full.get("song", [])],
            }
    for album_id, album in view.albums.items():
        for song_id in album["songs"]:
            song = call("getSong", id=song_id)["song"]
            view.songs[song["id"]] = {
                "title": song["title"], "artist": song.get("artist"), "album": song.get("album"),
                "albumId": song.get("albumId"), "suffix": song.get("suffix"), "disc": song.get("discNumber"),
                "track": song.get("track"),
            }
            if song["title"] == expect["everyField"]["title"]:
                view.every_field = every_field_from_json(song)
    for genre in call("getGenres")["genres"]["genre"]:
        view.genres[genre["value"]] = {"songCount": genre["songCount"], "albumCount": genre["albumCount"]}
    return view


# MARK: - system: ping, getLicense, getOpenSubsonicExtensions, tokenInfo


def system_raw(ctx: Context) -> None:
    raw, report, args = ctx.raw, ctx.report, ctx.args
    raw.both("ping")
    report.equal(raw.both("getLicense")["license"].get("valid"), True, "getLicense: valid")
    extensions = raw.both("getOpenSubsonicExtensions", auth=None)["openSubsonicExtensions"]
    advertised = {extension["name"]: extension["versions"] for extension in extensions}
    for name in ctx.expect["extensions"]:
        report.check(name in advertised, f"extension {name} advertised", f"{advertised}")
    report.check(all(advertised.values()), "every extension lists its versions", f"{advertised}")
    report.equal(sorted(advertised), sorted(ctx.expect["extensions"]), "exactly the implemented extensions")
    raw.json("getOpenSubsonicExtensions")  # with credentials too
    info = raw.both("tokenInfo", auth="apiKey")["tokenInfo"]
    report.equal(info.get("username"), args.username, "tokenInfo: username of the API key")
    raw.both("tokenInfo", expect="failed")  # tokenInfo describes an API key; token auth has none

    # Every way clients send credentials, paths and formats.
    raw.both("ping", http="POST")
    raw.both("ping", view=True)
    raw.both("ping", auth="enc")
    raw.json("ping", auth=None, extra=[("u", args.username), ("p", "enc:" + args.app_password.encode().hex().upper())])
    raw.json("ping", auth="password")  # the login password in clear (bcrypt: once)
    raw.both("getLicense", auth="apiKey", http="POST", view=True)
    salt = "c19b2d"
    reused = [("u", args.username), ("t", hashlib.md5((args.app_password + salt).encode()).hexdigest()), ("s", salt)]
    for _ in range(2):  # DSub and py-sonic reuse salts
        raw.json("ping", auth=None, extra=reused)
    raw.xml("ping", format=None)  # no f: XML
    raw.json("ping", version="1.2.0")  # DSub's v
    jsonp = raw.send("getLicense", format="jsonp", extra=[("callback", "cb")])
    report.check(jsonp.content_type.startswith("application/javascript"), "jsonp: Content-Type", jsonp.content_type)
    body = jsonp.body.decode().strip()
    if report.check(body.startswith("cb(") and body.rstrip(";").endswith(")"), "jsonp: callback(...)", body[:80]):
        ctx.observer.observe(f"{raw.base_url}/rest/getLicense", None, jsonp.status, "application/json",
                             body[3:].rstrip(";")[:-1].encode(), mechanism=False)

    # Errors: every one validates, in both formats, with a code and a message.
    def failing(code: int, **options: Any) -> None:
        for call in (raw.json, raw.xml):
            call("ping", expect=code, **options)
            ctx.reset_throttle()

    failing(40, auth=None, extra=[("u", args.username), ("p", "wrong-password")])
    failing(40, auth=None, extra=[("u", args.username), ("t", hashlib.md5(b"wrongc19b2d").hexdigest()), ("s", salt)])
    failing(40, auth=None, extra=[("u", "nobody-here"), ("p", "whatever")])
    failing(10, auth=None)
    failing(10, auth=None, extra=[("u", args.username), ("t", "0" * 32)])
    failing(43, auth="apiKey", extra=[("u", args.username)])
    failing(43, auth="token", extra=[("p", args.app_password)])
    failing(44, auth=None, extra=[("apiKey", "not-a-key")])
    raw.both("getPodcasts", expect=0)  # not implemented: an error with a message, not a 404
    raw.both("noSuchMethod", expect=0)


def system_py_sonic(ctx: Context) -> None:
    report = ctx.report
    for legacy in (True, False):
        connection = ctx.py_sonic(legacy=legacy)
        report.equal(connection.ping(), True, f"ping (legacyAuth={legacy})")
        report.equal(connection.getLicense()["license"]["valid"], True, f"getLicense (legacyAuth={legacy})")
    report.equal(ctx.py_sonic(password=ctx.args.password).ping(), True, "ping with enc: of the login password")
    report.raises("wrong password", sonic_errors.CredentialError, ctx.py_sonic(password="wrong-password").getLicense)
    ctx.reset_throttle()


def system_py_opensonic(ctx: Context) -> None:
    report = ctx.report
    connection = ctx.py_opensonic()
    report.equal(connection.ping(), True, "ping")
    report.equal(connection.get_license()["license"]["valid"], True, "get_license")
    names = [extension.name for extension in connection.get_open_subsonic_extensions()]
    for name in ctx.expect["extensions"]:
        report.check(name in names, f"get_open_subsonic_extensions: {name}", f"{names}")
    keyed = ctx.py_opensonic(api_key=ctx.args.api_key)
    report.equal(keyed.token_info().username, ctx.args.username, "token_info with the API key")
    report.equal(keyed.ping(), True, "ping with the API key")
    get = ctx.py_opensonic(use_get=True, use_views=False)
    report.equal(get.ping(), True, "ping by GET without .view")
    report.equal(get.get_license()["license"]["valid"], True, "get_license by GET")
    report.raises("token_info without an API key", opensonic_errors.SonicError, connection.token_info)
    report.raises("wrong password", opensonic_errors.CredentialError, ctx.py_opensonic(password="wrong").ping)
    ctx.reset_throttle()
    report.raises("unknown API key", opensonic_errors.SonicError, ctx.py_opensonic(api_key="not-a-key").ping)
    ctx.reset_throttle()


def system_knuckles(ctx: Context) -> None:
    report = ctx.report
    subsonic = ctx.knuckles()
    report.equal(subsonic.system.ping().status, "ok", "ping")
    report.equal(subsonic.system.get_license().valid, True, "get_license")
    report.known_client_bug(
        "get_open_subsonic_extensions", "knuckles wants a {name: versions} object; the spec sends an array",
        (AttributeError,), subsonic.system.get_open_subsonic_extensions,
    )
    post = ctx.knuckles(request_method=knuckles.RequestMethod.POST)
    report.equal(post.system.ping().status, "ok", "ping by POST")
    report.equal(post.system.get_license().valid, True, "get_license by POST")
    plain = ctx.knuckles(password=ctx.args.password, use_token=False)
    report.equal(plain.system.ping().status, "ok", "ping with the login password in clear")
    report.raises("wrong password", knuckles_errors.ErrorCode40, ctx.knuckles(password="wrong").system.ping)
    ctx.reset_throttle()


# MARK: - browsing: getMusicFolders, getArtists, getArtist, getAlbum, getSong, getGenres


def browsing_raw(ctx: Context) -> None:
    raw, report = ctx.raw, ctx.report
    view = browse_json(lambda method, **params: raw.both(method, params), ctx.expect)
    check_library(report, view, ctx.expect)
    ctx.library = view
    folders = raw.json("getMusicFolders")["musicFolders"]["musicFolder"]
    report.check(all(isinstance(folder["id"], int) for folder in folders), "musicFolder ids are numbers", f"{folders}")
    everything = raw.json("getArtists")["artists"]
    in_folder = raw.both("getArtists", {"musicFolderId": folders[0]["id"]})["artists"]
    report.equal(in_folder, everything, "getArtists in the only music folder lists every artist")
    for artist_id, name in view.artist_refs.items():  # what a client's "go to artist" opens
        if artist_id is None or artist_id in view.artists:
            continue
        artist = raw.json("getArtist", {"id": artist_id})["artist"]
        if name is not None:
            report.equal(artist["name"], name, f"getArtist({artist_id}): the name songs credit")
    album_id = next(iter(view.albums))
    report.equal(
        raw.json("getAlbum", {"id": album_id}, http="POST", view=True)["album"],
        raw.json("getAlbum", {"id": album_id})["album"], "getAlbum: the same by form POST and by GET",
    )
    for method in ("getArtist", "getAlbum", "getSong"):
        raw.both(method, expect=10)
        raw.both(method, {"id": NO_SUCH_ID}, expect=70)


def browsing_py_sonic(ctx: Context) -> None:
    connection = ctx.py_sonic()
    calls: dict[str, Callable[..., dict]] = {
        "getMusicFolders": lambda: connection.getMusicFolders(),
        "getArtists": lambda: connection.getArtists(),
        "getArtist": lambda id: connection.getArtist(id),
        "getAlbum": lambda id: connection.getAlbum(id),
        "getSong": lambda id: connection.getSong(id),
        "getGenres": lambda: connection.getGenres(),
    }
    check_library(ctx.report, browse_json(lambda method, **params: calls[method](**params), ctx.expect), ctx.expect)
    token = ctx.py_sonic(legacy=False)
    album_id = next(iter(ctx.library.albums)) if ctx.library else None
    if album_id:
        ctx.report.equal(token.getAlbum(album_id)["album"]["id"], album_id, "getAlbum with token auth")
    ctx.report.raises("getAlbum(unknown id)", sonic_errors.DataNotFoundError, connection.getAlbum, NO_SUCH_ID)
    ctx.report.raises("getAlbum without id", sonic_errors.ParameterError, connection.getAlbum, None)


def browsing_py_opensonic(ctx: Context) -> None:
    report, connection = ctx.report, ctx.py_opensonic()
    report.known_client_bug(
        "get_music_folders", "py-opensonic reads musicFolders as a list; the spec nests musicFolder",
        (ValueError, TypeError, AttributeError), connection.get_music_folders,
    )
    view = LibraryView(folders=None)
    for index in connection.get_artists().index or []:
        for artist in index.artist or []:
            view.artists[artist.id] = {"name": artist.name, "albumCount": artist.album_count}
    for artist_id in view.artists:
        for album in connection.get_artist(artist_id).album or []:
            full = connection.get_album(album.id)
            view.albums[full.id] = {
                "name": full.name, "artist": full.artist, "artistId": full.artist_id, "songCount": full.song_count,
                "compilation": full.is_compilation, "songs": [song.id for song in full.song or []],
            }
    for album in view.albums.values():
        for song_id in album["songs"]:
            song = connection.get_song(song_id)
            view.songs[song.id] = {
                "title": song.title, "artist": song.artist, "album": song.album, "albumId": song.album_id,
                "suffix": song.suffix, "disc": song.disc_number, "track": song.track,
            }
            if song.title == ctx.expect["everyField"]["title"]:
                gain = song.replay_gain
                view.every_field = {
                    "title": song.title, "album": song.album, "albumArtist": song.display_album_artist,
                    "artists": [a.name for a in song.artists or []], "genres": [g.name for g in song.genres or []],
                    "isrc": song.isrc, "bpm": song.bpm, "comment": song.comment, "composer": song.display_composer,
                    "year": song.year, "track": song.track, "disc": song.disc_number,
                    "musicBrainzId": song.music_brainz_id, "trackGain": gain and gain.track_gain,
                    "trackPeak": gain and gain.track_peak, "albumGain": gain and gain.album_gain,
                    "albumPeak": gain and gain.album_peak,
                }
    for genre in connection.get_genres():
        view.genres[genre.value] = {"songCount": genre.song_count, "albumCount": genre.album_count}
    check_library(report, view, ctx.expect)
    keyed = ctx.py_opensonic(api_key=ctx.args.api_key)
    if view.albums:
        album_id = next(iter(view.albums))
        report.equal(keyed.get_album(album_id).id, album_id, "get_album with the API key")
    report.raises("get_album(unknown id)", opensonic_errors.DataNotFoundError, connection.get_album, NO_SUCH_ID)
    report.raises("get_album without id", opensonic_errors.ParameterError, connection.get_album, None)


def browsing_knuckles(ctx: Context) -> None:
    report, subsonic = ctx.report, ctx.knuckles()
    browsing = subsonic.browsing
    view = LibraryView(folders=[folder.name for folder in browsing.get_music_folders()])
    for artist in browsing.get_artists():
        view.artists[artist.id] = {"name": artist.name, "albumCount": artist.album_count}
    for artist_id in view.artists:
        for album in browsing.get_artist(artist_id).albums or []:
            full = browsing.get_album(album.id)
            view.albums[full.id] = {
                "name": full.name, "artist": full.artist.name if full.artist else None,
                "artistId": full.artist.id if full.artist else None, "songCount": full.song_count,
                "compilation": full.is_compilation, "songs": [song.id for song in full.songs or []],
            }
    for album in view.albums.values():
        for song_id in album["songs"]:
            song = browsing.get_song(song_id)
            view.songs[song.id] = {
                "title": song.title, "artist": song.artist.name if song.artist else None,
                "album": song.album.name if song.album else None, "albumId": song.album.id if song.album else None,
                "suffix": song.suffix, "disc": song.disc_number, "track": song.track,
            }
            if song.title == ctx.expect["everyField"]["title"]:
                gain = song.replay_gain
                view.every_field = {
                    "title": song.title, "album": song.album.name if song.album else None,
                    "albumArtist": song.display_album_artist, "artists": [a.name for a in song.artists or []],
                    "genres": [g.name for g in song.genres or []], "isrc": UNSUPPORTED, "bpm": song.bpm,
                    "comment": song.comment, "composer": song.display_composer, "year": song.year,
                    "track": song.track, "disc": song.disc_number, "musicBrainzId": song.music_brainz_id,
                    "trackGain": gain and gain.track_gain, "trackPeak": gain and gain.track_peak,
                    "albumGain": gain and gain.album_gain, "albumPeak": gain and gain.album_peak,
                }
    for genre in browsing.get_genres():
        view.genres[genre.value] = {"songCount": genre.song_count, "albumCount": genre.album_count}
    check_library(report, view, ctx.expect)
    post = ctx.knuckles(request_method=knuckles.RequestMethod.POST)
    if view.albums:
        album_id = next(iter(view.albums))
        report.equal(post.browsing.get_album(album_id).id, album_id, "get_album by POST")
    report.raises("get_album(unknown id)", knuckles_errors.ErrorCode70, browsing.get_album, NO_SUCH_ID)
    report.raises("get_album without id", knuckles_errors.ErrorCode10, browsing.get_album, None)


# MARK: - Helpers for the groups below


def fold(text: str) -> str:
    """Lower case without accents: what a search for "bjork" should match."""
    import unicodedata
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).lower()


def ids(ctx: Context) -> dict:
    """Stable IDs from raw browsing for the groups after it."""
    view = ctx.library
    assert view is not None, "raw browsing did not run"
    album_id = next(iter(view.albums))
    album = ctx.raw.json("getAlbum", {"id": album_id})["album"]
    songs = list(view.songs)
    with_cover = [a for a in ctx.raw.json("getAlbumList2", {"type": "alphabeticalByName", "size": 500})
                  ["albumList2"].get("album", []) if a.get("coverArt")]
    artist_id = album.get("artistId") or next(iter(view.artists))
    return {"album": album_id, "albumJSON": album, "songs": songs, "song": songs[0], "artist": artist_id,
            "artistName": view.artists.get(artist_id, {}).get("name") or album.get("artist"),
            "coverArt": album.get("coverArt") or (with_cover[0]["coverArt"] if with_cover else None), "genre": ctx.expect["everyField"]["genres"][0]}


def called(ctx: Context, client: str, method: str, function: Callable, *args: Any) -> Any:
    """A library call whose response the hooks cannot see (binary): counted when it returns."""
    result = ctx.report.step(f"{method} through {client}", function, *args)
    if result is not None:
        ctx.observer.seen[client][method] += 1
    return result


def server_bug(ctx: Context, ok: bool, what: str, detail: str = "") -> None:
    """A check that once found a server bug (since fixed): it fails again if the bug returns."""
    ctx.report.check(ok, what, detail)


def lib(ctx: Context, what: str, function: Callable, *args: Any) -> Any:
    return ctx.report.step(what, function, *args)


def authed_url(ctx: Context, method: str, params: dict) -> str:
    pairs = [("v", "1.16.1"), ("c", "canto-harness"), *ctx.raw.auth("token"), *params.items()]
    return f"{ctx.raw.base_url}/rest/{method}?{urllib.parse.urlencode(pairs)}"


def fetch(url: str, headers: dict | None = None) -> HTTPResult:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return HTTPResult(response.status, response.headers.get("Content-Type", ""), response.read())
    except urllib.error.HTTPError as error:
        return HTTPResult(error.code, error.headers.get("Content-Type", ""), error.read())


# MARK: - browsing (directories and info)


def directories_raw(ctx: Context) -> None:
    raw, report, i = ctx.raw, ctx.report, ids(ctx)
    indexes = raw.both("getIndexes")["indexes"]
    names = {a["name"] for index in indexes.get("index", []) for a in index.get("artist", [])}
    report.check(bool(names), "getIndexes lists folders")
    top = [a["id"] for index in indexes.get("index", []) for a in index.get("artist", [])]
    if report.check(bool(top), "getIndexes has artists"):
        directory = raw.both("getMusicDirectory", {"id": top[0]})["directory"]
        report.check(bool(directory.get("name")), "getMusicDirectory: a name")
        children = directory.get("child", [])
        if report.check(bool(children), "artist directory has children"):
            sub = next((c for c in children if c.get("isDir")), None)
            if sub is not None:
                inner = raw.both("getMusicDirectory", {"id": sub["id"]})["directory"]
                report.check(all(not c.get("isDir") for c in inner.get("child", [])) and bool(inner.get("child")),
                             "album directory lists songs")
    raw.both("getMusicDirectory", {"id": NO_SUCH_ID}, expect=70)
    raw.both("getArtistInfo", {"id": i["artist"]})
    raw.both("getArtistInfo2", {"id": i["artist"]})
    raw.both("getAlbumInfo", {"id": i["album"]})
    raw.both("getAlbumInfo2", {"id": i["album"]})
    similar = raw.both("getSimilarSongs", {"id": i["song"], "count": 5})["similarSongs"]
    report.check(len(similar.get("song", [])) <= 5, "getSimilarSongs: count respected")
    raw.both("getSimilarSongs2", {"id": i["artist"], "count": 5})
    top_songs = raw.both("getTopSongs", {"artist": i["artistName"], "count": 50})["topSongs"]
    report.check(all(s.get("artist") is not None for s in top_songs.get("song", [])), "getTopSongs: songs")
    raw.both("getArtistInfo2", {"id": NO_SUCH_ID}, expect=70)


def sonic_raw(ctx: Context) -> None:
    """The sonicSimilarity extension: matches by sound once the analyser has measured the library
    (it starts after the first scan), then a path between two songs."""
    raw, report, i = ctx.raw, ctx.report, ids(ctx)
    deadline = time.monotonic() + 120
    matches: list = []
    while time.monotonic() < deadline:
        matches = raw.json("getSonicSimilarTracks", {"id": i["song"], "count": 5}).get("sonicMatch", [])
        if matches and all(m.get("similarity", -1) >= 0 for m in matches):
            break
        time.sleep(0.5)
    matches = raw.both("getSonicSimilarTracks", {"id": i["song"], "count": 5}).get("sonicMatch", [])
    report.check(0 < len(matches) <= 5, "getSonicSimilarTracks: up to count matches", f"{len(matches)}")
    similarities = [m.get("similarity") for m in matches]
    report.check(all(isinstance(x, (int, float)) and 0 <= x <= 1 for x in similarities),
                 "getSonicSimilarTracks: similarities measured, 0 to 1", f"{similarities}")
    report.check(similarities == sorted(similarities, reverse=True), "getSonicSimilarTracks: best first")
    report.check(i["song"] not in [m.get("entry", {}).get("id") for m in matches],
                 "getSonicSimilarTracks: not the song itself")
    other = matches[-1]["entry"]["id"] if matches else i["song"]
    path = raw.both("findSonicPath", {"startSongId": i["song"], "endSongId": other, "count": 4}).get("sonicMatch", [])
    steps = [m.get("entry", {}).get("id") for m in path]
    report.check(2 <= len(steps) <= 4 and steps[0] == i["song"] and steps[-1] == other,
                 "findSonicPath: from the start song to the end song", f"{steps}")
    raw.both("getSonicSimilarTracks", {"id": NO_SUCH_ID}, expect=70)
    raw.both("findSonicPath", {"startSongId": i["song"]}, expect=10)


def sonic_py_opensonic(ctx: Context) -> None:
    c, i = ctx.py_opensonic(), ids(ctx)
    matches = lib(ctx, "get_sonic_similar_tracks", c.get_sonic_similar_tracks, i["song"], 5)
    other = matches[-1].entry.id if matches else i["song"]
    lib(ctx, "find_sonic_path", c.find_sonic_path, i["song"], other, 4)


def directories_py_sonic(ctx: Context) -> None:
    c, i = ctx.py_sonic(), ids(ctx)
    lib(ctx, "getIndexes", c.getIndexes)
    index = (c.getIndexes()["indexes"].get("index") or [{}])[0].get("artist") or [{}]
    lib(ctx, "getMusicDirectory", c.getMusicDirectory, index[0].get("id", i["artist"]))
    lib(ctx, "getArtistInfo", c.getArtistInfo, i["artist"])
    lib(ctx, "getArtistInfo2", c.getArtistInfo2, i["artist"])
    lib(ctx, "getAlbumInfo", c.getAlbumInfo, i["album"])
    lib(ctx, "getAlbumInfo2", c.getAlbumInfo2, i["album"])
    lib(ctx, "getSimilarSongs", c.getSimilarSongs, i["song"], 5)
    lib(ctx, "getSimilarSongs2", c.getSimilarSongs2, i["artist"], 5)
    lib(ctx, "getTopSongs", c.getTopSongs, i["artistName"])


def directories_py_opensonic(ctx: Context) -> None:
    c, i = ctx.py_opensonic(), ids(ctx)
    indexes = lib(ctx, "get_indexes", c.get_indexes)
    first = None
    if indexes is not None:
        first = next((a.id for index in indexes.index or [] for a in index.artist or []), None)
    lib(ctx, "get_music_directory", c.get_music_directory, first or i["artist"])
    lib(ctx, "get_artist_info", c.get_artist_info, i["artist"])
    lib(ctx, "get_artist_info2", c.get_artist_info2, i["artist"])
    lib(ctx, "get_album_info", c.get_album_info, i["album"])
    lib(ctx, "get_album_info2", c.get_album_info2, i["album"])
    lib(ctx, "get_similar_songs", c.get_similar_songs, i["song"], 5)
    lib(ctx, "get_similar_songs2", c.get_similar_songs2, i["artist"], 5)
    lib(ctx, "get_top_songs", c.get_top_songs, i["artistName"])


def directories_knuckles(ctx: Context) -> None:
    b, i, report = ctx.knuckles().browsing, ids(ctx), ctx.report
    folder = str(ctx.raw.json("getMusicFolders")["musicFolders"]["musicFolder"][0]["id"])
    report.known_client_bug("get_artists_indexed", "knuckles' ArtistIndex rejects lastModified/shortcut/child",
                            (TypeError,), lambda: b.get_artists_indexed(folder, 0))
    index = ctx.raw.json("getIndexes")["indexes"]
    top = next((a["id"] for x in index.get("index", []) for a in x.get("artist", [])), i["artist"])
    lib(ctx, "get_music_directory", b.get_music_directory, top)
    for name in ("get_artist_info_non_id3", "get_artist_info"):
        report.known_client_bug(name, "knuckles requires all six optional artistInfo fields", (TypeError,),
                                lambda name=name: getattr(b, name)(i["artist"]))
    lib(ctx, "get_album_info_non_id3", b.get_album_info_non_id3, i["album"])
    lib(ctx, "get_album_info", b.get_album_info, i["album"])
    lib(ctx, "get_similar_songs_non_id3", b.get_similar_songs_non_id3, i["song"], 5)
    lib(ctx, "get_similar_songs", b.get_similar_songs, i["artist"], 5)
    lib(ctx, "get_top_songs", b.get_top_songs, i["artistName"], 50)


# MARK: - lists


def lists_raw(ctx: Context) -> None:
    raw, report, i = ctx.raw, ctx.report, ids(ctx)
    total = len(ctx.expect["albums"])
    for list_type in ("random", "newest", "highest", "frequent", "recent", "alphabeticalByName",
                      "alphabeticalByArtist", "starred"):
        for method, key in (("getAlbumList", "albumList"), ("getAlbumList2", "albumList2")):
            if list_type == "random":
                albums = raw.json(method, {"type": list_type, "size": 500})[key].get("album", [])
                raw.xml(method, {"type": list_type, "size": 500})
            else:
                albums = raw.both(method, {"type": list_type, "size": 500})[key].get("album", [])
            if list_type in ("random", "newest", "alphabeticalByName", "alphabeticalByArtist"):
                report.equal(len(albums), total, f"{method}({list_type}): every album")
            if list_type == "alphabeticalByName":
                names = [a.get("name") or a.get("title") or a.get("album") for a in albums]
                report.equal(names, sorted(names, key=fold), f"{method}(alphabeticalByName): sorted")
            if list_type == "newest" and method == "getAlbumList2":
                created = [a["created"] for a in albums]
                report.equal(created, sorted(created, reverse=True), "getAlbumList2(newest): newest first")
    paged = raw.json("getAlbumList2", {"type": "alphabeticalByName", "size": 2, "offset": 1})["albumList2"]["album"]
    everything = raw.json("getAlbumList2", {"type": "alphabeticalByName", "size": 500})["albumList2"]["album"]
    report.equal([a["id"] for a in paged], [a["id"] for a in everything[1:3]], "getAlbumList2: size and offset")
    years = [a.get("year") for a in everything if a.get("year")]
    if report.check(bool(years), "some albums have a year"):
        low, high = min(years), max(years)
        ranged = raw.both("getAlbumList2", {"type": "byYear", "fromYear": low, "toYear": low, "size": 500})
        got = ranged["albumList2"].get("album", [])
        report.check(bool(got) and all(a.get("year") == low for a in got), "byYear: one year's albums",
                     f"{[a.get('year') for a in got]}")
        reverse = raw.json("getAlbumList2", {"type": "byYear", "fromYear": high, "toYear": low, "size": 500})
        got_years = [a.get("year") for a in reverse["albumList2"].get("album", [])]
        report.equal(got_years, sorted(got_years, reverse=True), "byYear: fromYear > toYear is newest first")
    by_genre = raw.both("getAlbumList2", {"type": "byGenre", "genre": i["genre"], "size": 500})["albumList2"]
    report.check(any(a["id"] for a in by_genre.get("album", [])), f"byGenre {i['genre']}: albums")
    report.check(all(a.get("genre") in (None, i["genre"]) or i["genre"] in [g.get("name") for g in a.get("genres", [])]
                     for a in by_genre.get("album", [])), "byGenre: the genre's albums only")
    raw.both("getAlbumList2", {"type": "byGenre", "genre": i["genre"]}, http="POST")
    raw.both("getAlbumList2", {"type": "byYear"}, expect=10)
    raw.both("getAlbumList2", {}, expect=10)
    raw.both("getAlbumList2", {"type": "noSuchType"}, expect="failed")
    songs = raw.json("getRandomSongs", {"size": 3})["randomSongs"].get("song", [])
    raw.xml("getRandomSongs", {"size": 3})
    report.equal(len(songs), min(3, ctx.expect["trackCount"]), "getRandomSongs: size")
    genre_songs = raw.both("getSongsByGenre", {"genre": i["genre"], "count": 500})["songsByGenre"].get("song", [])
    report.check(bool(genre_songs), "getSongsByGenre: songs")
    raw.both("getSongsByGenre", expect=10)
    raw.both("getNowPlaying")
    raw.both("getStarred")
    raw.both("getStarred2")


def lists_py_sonic(ctx: Context) -> None:
    c, i = ctx.py_sonic(), ids(ctx)
    lib(ctx, "getAlbumList", c.getAlbumList, "newest")
    lib(ctx, "getAlbumList2", c.getAlbumList2, "alphabeticalByName")
    lib(ctx, "getRandomSongs", c.getRandomSongs)
    lib(ctx, "getSongsByGenre", c.getSongsByGenre, i["genre"])
    lib(ctx, "getNowPlaying", c.getNowPlaying)
    lib(ctx, "getStarred", c.getStarred)
    lib(ctx, "getStarred2", c.getStarred2)


def lists_py_opensonic(ctx: Context) -> None:
    c, i, report = ctx.py_opensonic(), ids(ctx), ctx.report
    report.known_client_bug("get_album_list", "py-opensonic parses getAlbumList's Child entries as AlbumID3",
                            (Exception,), lambda: c.get_album_list("newest"))
    albums = lib(ctx, "get_album_list2", c.get_album_list2, "alphabeticalByName", 500)
    if albums is not None:
        report.equal(len(albums), len(ctx.expect["albums"]), "get_album_list2: every album")
    lib(ctx, "get_random_songs", c.get_random_songs)
    lib(ctx, "get_songs_by_genre", c.get_songs_by_genre, i["genre"])
    lib(ctx, "get_now_playing", c.get_now_playing)
    lib(ctx, "get_starred", c.get_starred)
    lib(ctx, "get_starred2", c.get_starred2)


def lists_knuckles(ctx: Context) -> None:
    k, i, report = ctx.knuckles().lists, ids(ctx), ctx.report
    lib(ctx, "get_album_list_newest_non_id3", k.get_album_list_newest_non_id3)
    albums = lib(ctx, "get_album_list_alphabetical_by_name", k.get_album_list_alphabetical_by_name, 500)
    if albums is not None:
        names = [a.name for a in albums]
        report.equal(names, sorted(names, key=fold), "get_album_list_alphabetical_by_name: sorted")
    lib(ctx, "get_album_list_by_genre", k.get_album_list_by_genre, i["genre"])
    lib(ctx, "get_random_songs", k.get_random_songs)
    lib(ctx, "get_songs_by_genre", k.get_songs_by_genre, i["genre"])
    lib(ctx, "get_now_playing", k.get_now_playing)
    lib(ctx, "get_starred_non_id3", k.get_starred_non_id3)
    lib(ctx, "get_starred", k.get_starred)


# MARK: - search


def accented(ctx: Context) -> dict[str, str]:
    """Search words ("bjork", "sigur ros") and the fixture artist names they must find."""
    found = {}
    for word in ("bjork", "sigur ros"):
        names = {album["albumArtist"] for album in ctx.expect["albums"]} | {t["artist"] for t in ctx.expect["tracks"]}
        matches = sorted((n for n in names if word in fold(n) and n != fold(n)), key=len)
        if matches:
            found[word] = matches[0]
    return found


def forgiving_queries(ctx: Context) -> list[tuple[str, str, str]]:
    """(kind, query, name) triples from the fixture's own names that search must forgive: a typo
    (two letters of a long word swapped), two characters from inside a name in a script written
    without spaces, and a name with its punctuation dropped."""
    names = ({("artist", a["albumArtist"]) for a in ctx.expect["albums"]}
             | {("album", a["title"]) for a in ctx.expect["albums"]}
             | {("song", t["title"]) for t in ctx.expect["tracks"]})
    found: dict[str, tuple[str, str, str]] = {}
    for kind, name in sorted(names):
        words = name.split()
        long = [w for w in words if len(w) >= 6 and w.isascii() and w.isalpha()]
        if long and "typo" not in found:
            w = long[0]
            typo = w[:2] + w[3] + w[2] + w[4:]
            if typo.lower() != w.lower():
                found["typo"] = (kind, name.replace(w, typo), name)
        spaceless = [c for c in name if 0x3040 <= ord(c) <= 0x9FFF]
        if len(spaceless) >= 3 and "script" not in found:
            at = name.index(spaceless[1])
            found["script"] = (kind, name[at:at + 2], name)
        stripped = "".join(c for c in name if c.isalnum() or c.isspace())
        inner = any(not c.isalnum() and not c.isspace() for c in name.strip(".!?"))
        if inner and stripped.strip() and "punctuation" not in found:
            found["punctuation"] = (kind, stripped, name)
    return list(found.values())


def search_forgives(ctx: Context, result: dict, kind: str, name: str) -> bool:
    key = {"artist": "name", "album": "name", "song": "title"}[kind]
    return name in [item.get(key) for item in result.get(kind, [])]


def search_raw(ctx: Context) -> None:
    raw, report = ctx.raw, ctx.report
    forgiving = forgiving_queries(ctx)
    report.check(len(forgiving) == 3, "the fixture has a typo, a spaceless script and punctuation to search",
                 f"{forgiving}")
    for kind, query, name in forgiving:
        result = raw.both("search3", {"query": query, "artistCount": 50, "albumCount": 50, "songCount": 50})
        report.check(search_forgives(ctx, result["searchResult3"], kind, name),
                     f"search3 {query!r} finds the {kind} {name!r}", f"{result['searchResult3']}")
    for word, name in accented(ctx).items():
        result = raw.both("search3", {"query": word})["searchResult3"]
        hits = [a["name"] for a in result.get("artist", [])] + [s.get("artist") for s in result.get("song", [])]
        report.check(name in hits, f"search3 {word!r} finds {name!r}", f"{hits}")
        result2 = raw.both("search2", {"query": word})["searchResult2"]
        hits2 = [a["name"] for a in result2.get("artist", [])] + [s.get("artist") for s in result2.get("song", [])]
        report.check(name in hits2, f"search2 {word!r} finds {name!r}", f"{hits2}")
    report.check(len(accented(ctx)) >= 1, "the fixture has accented artist names", f"{accented(ctx)}")
    total = ctx.expect["trackCount"]
    everything = raw.both("search3", {"query": "", "songCount": 500, "albumCount": 500, "artistCount": 500})
    report.equal(len(everything["searchResult3"].get("song", [])), total, "search3 empty query: every song")
    report.equal(len(everything["searchResult3"].get("album", [])), len(ctx.expect["albums"]),
                 "search3 empty query: every album")
    seen: list[str] = []
    offset = 0
    while offset <= total:
        page = raw.json("search3", {"query": "", "songCount": 3, "songOffset": offset, "albumCount": 0,
                                    "artistCount": 0})["searchResult3"]
        songs = page.get("song", [])
        report.check(len(songs) <= 3, "search3 page: songCount respected")
        report.check(not page.get("album") and not page.get("artist"), "search3 page: count 0 gives none")
        seen += [s["id"] for s in songs]
        if not songs:
            break
        offset += 3
    report.equal(sorted(seen), sorted({s["id"] for s in everything["searchResult3"].get("song", [])}),
                 "search3 empty query paged: every song once")
    raw.json("search3", {"query": '""', "songCount": 1})
    title = ctx.expect["everyField"]["title"]
    songs = raw.both("search3", {"query": title})["searchResult3"].get("song", [])
    report.check(title in [s["title"] for s in songs], "search3 by song title")
    none = raw.both("search3", {"query": "zzzz-nothing-matches-zzzz"})["searchResult3"]
    report.check(not none.get("song") and not none.get("album") and not none.get("artist"), "search3: no match")
    missing = raw.send("search2", format="json")
    server_bug(ctx, b'"failed"' in missing.body, "search2 without query", "answers ok; query is required (error 10)")


def search_py_sonic(ctx: Context) -> None:
    c = ctx.py_sonic()
    for kind, query, name in forgiving_queries(ctx):
        result = lib(ctx, "search3", c.search3, query, 50, 0, 50, 0, 50)
        if result is not None:
            ctx.report.check(search_forgives(ctx, result["searchResult3"], kind, name),
                             f"py-sonic search3 {query!r} finds the {kind} {name!r}")
    for word, name in accented(ctx).items():
        result = lib(ctx, "search3", c.search3, word)
        if result is not None:
            hits = [a["name"] for a in result["searchResult3"].get("artist", [])]
            ctx.report.check(name in hits, f"search3 {word!r} finds {name!r}", f"{hits}")
    lib(ctx, "search2", c.search2, "bjork")
    lib(ctx, "search3", c.search3, "")


def search_py_opensonic(ctx: Context) -> None:
    c = ctx.py_opensonic()
    for word, name in accented(ctx).items():
        result = lib(ctx, "search3", c.search3, word)
        if result is not None:
            hits = [a.name for a in result.artist or []]
            ctx.report.check(name in hits, f"search3 {word!r} finds {name!r}", f"{hits}")
    lib(ctx, "search2", c.search2, "bjork")


def search_knuckles(ctx: Context) -> None:
    s = ctx.knuckles().searching
    for word, name in accented(ctx).items():
        result = lib(ctx, "search", s.search, word)
        if result is not None:
            hits = [a.name for a in result.artists or []]
            ctx.report.check(name in hits, f"search {word!r} finds {name!r}", f"{hits}")
    result = lib(ctx, "search ''", s.search, "", 500)
    if result is not None:
        ctx.report.equal(len(result.songs or []), ctx.expect["trackCount"], "search(''): every song")
    lib(ctx, "search_non_id3", s.search_non_id3, "bjork")


# MARK: - playlists


def playlists_raw(ctx: Context) -> None:
    raw, report, i = ctx.raw, ctx.report, ids(ctx)
    songs = i["songs"][:3]
    raw.xml("createPlaylist", [("name", "XML list"), ("songId", songs[0])])
    xml_list = [p for p in raw.json("getPlaylists")["playlists"].get("playlist", []) if p["name"] == "XML list"]
    report.equal(len(xml_list), 1, "createPlaylist by XML")
    for playlist in xml_list:
        raw.json("deletePlaylist", {"id": playlist["id"]})
    created = raw.json("createPlaylist", [("name", "Harness list"), *[("songId", s) for s in songs]])
    playlist = created.get("playlist") or {}
    pid = playlist.get("id")
    report.equal([e["id"] for e in playlist.get("entry", [])], songs, "createPlaylist: the songs in order")
    raw.json("updatePlaylist", [("playlistId", pid), ("name", "Renamed"), ("comment", "c"), ("public", True),
                                ("songIdToAdd", i["songs"][3]), ("songIndexToRemove", 0)])
    raw.xml("updatePlaylist", [("playlistId", pid), ("songIndexToRemove", 0)])
    got = raw.both("getPlaylist", {"id": pid})["playlist"]
    report.equal(got.get("name"), "Renamed", "updatePlaylist: renamed")
    report.equal([e["id"] for e in got.get("entry", [])], [songs[2], i["songs"][3]], "updatePlaylist: add/remove by index")
    report.equal(got.get("songCount"), 2, "getPlaylist: songCount")
    lists = raw.both("getPlaylists")["playlists"].get("playlist", [])
    report.check(pid in [p["id"] for p in lists], "getPlaylists lists it")
    raw.json("deletePlaylist", {"id": pid})
    raw.both("getPlaylist", {"id": pid}, expect=70)
    raw.xml("deletePlaylist", {"id": pid}, expect=70)
    raw.both("createPlaylist", expect=10)


def playlists_py_sonic(ctx: Context) -> None:
    c, i, report = ctx.py_sonic(), ids(ctx), ctx.report
    lib(ctx, "createPlaylist", c.createPlaylist, None, "py-sonic list", i["songs"][:2])
    found = [p for p in c.getPlaylists()["playlists"].get("playlist", []) if p["name"] == "py-sonic list"]
    if report.check(len(found) == 1, "getPlaylists: the new playlist"):
        pid = found[0]["id"]
        lib(ctx, "updatePlaylist", c.updatePlaylist, pid, None, None, [i["songs"][2]], [0])
        got = c.getPlaylist(pid)["playlist"]
        report.equal([e["id"] for e in got.get("entry", [])], [i["songs"][1], i["songs"][2]], "updatePlaylist")
        lib(ctx, "deletePlaylist", c.deletePlaylist, pid)


def playlists_py_opensonic(ctx: Context) -> None:
    c, i, report = ctx.py_opensonic(), ids(ctx), ctx.report
    lib(ctx, "create_playlist", c.create_playlist, None, "opensonic list", i["songs"][:2])
    found = [p for p in c.get_playlists() if p.name == "opensonic list"]
    if report.check(len(found) == 1, "get_playlists: the new playlist"):
        pid = found[0].id
        lib(ctx, "update_playlist", c.update_playlist, pid, None, None, [i["songs"][2]], [0])
        got = c.get_playlist(pid)
        report.equal([e.id for e in got.entry or []], [i["songs"][1], i["songs"][2]], "update_playlist")
        lib(ctx, "delete_playlist", c.delete_playlist, pid)


def playlists_knuckles(ctx: Context) -> None:
    p, i, report = ctx.knuckles().playlists, ids(ctx), ctx.report
    created = lib(ctx, "create_playlist", p.create_playlist, "knuckles list", None, None, i["songs"][:2])
    if created is not None:
        lib(ctx, "update_playlist", p.update_playlist, created.id, None, None, None, [i["songs"][2]], [0])
        got = lib(ctx, "get_playlist", p.get_playlist, created.id)
        if got is not None:
            report.equal([s.id for s in got.songs or []], [i["songs"][1], i["songs"][2]], "update_playlist")
        lib(ctx, "get_playlists", p.get_playlists)
        lib(ctx, "delete_playlist", p.delete_playlist, created.id)


# MARK: - media


def media_raw(ctx: Context) -> None:
    raw, report, i = ctx.raw, ctx.report, ids(ctx)
    song = raw.json("getSong", {"id": i["song"]})["song"]
    size = song.get("size")
    whole = fetch(authed_url(ctx, "stream", {"id": i["song"]}))
    report.equal(whole.status, 200, "stream: HTTP 200")
    report.check(not whole.content_type.startswith(("application/json", "text/xml", "application/xml")),
                 "stream: audio, not a Subsonic response", whole.content_type)
    if size:
        report.equal(len(whole.body), size, "stream: the whole file (song.size bytes)")
    ranged = fetch(authed_url(ctx, "stream", {"id": i["song"]}), {"Range": "bytes=100-1099"})
    report.equal(ranged.status, 206, "stream with Range: 206")
    report.equal(len(ranged.body), 1000, "stream with Range: 1000 bytes")
    report.equal(ranged.body, whole.body[100:1100], "stream with Range: the right bytes")
    # transcodeOffset: a transcode that starts part-way, in the format asked for.
    # The fixture songs last about a second: start 0.4 s in.
    seek = fetch(authed_url(ctx, "stream", {"id": i["song"], "format": "mp3", "maxBitRate": 64, "timeOffset": 0.4}))
    report.equal(seek.status, 200, "stream format=mp3 timeOffset=0.4: HTTP 200")
    report.equal(seek.content_type, "audio/mpeg", "stream format=mp3: audio/mpeg")
    report.check(0 < len(seek.body) < len(whole.body) or not size, "stream timeOffset: a shorter transcode",
                 f"{len(seek.body)} of {len(whole.body)} bytes")
    download = fetch(authed_url(ctx, "download", {"id": i["song"]}))
    report.equal(download.status, 200, "download: HTTP 200")
    report.equal(download.body, whole.body, "download: the original file")
    if report.check(bool(i["coverArt"]), "the album has coverArt"):
        cover = fetch(authed_url(ctx, "getCoverArt", {"id": i["coverArt"]}))
        report.check(cover.status == 200 and cover.content_type.startswith("image/"), "getCoverArt: an image",
                     f"{cover.status} {cover.content_type}")
        small = fetch(authed_url(ctx, "getCoverArt", {"id": i["coverArt"], "size": 64}))
        report.check(small.content_type.startswith("image/"), "getCoverArt size=64: an image", small.content_type)
    for method in ("stream", "download", "getCoverArt"):
        raw.both(method, {"id": NO_SUCH_ID}, expect=70)
        raw.both(method, expect=10)
    raw.both("getAvatar", {"username": ctx.args.username}, expect=70)  # no avatar set
    raw.both("getAvatar", expect=10)
    lyrics = raw.send("getLyrics", {"artist": "nobody", "title": "nothing"}, format="json")
    ctx.observer.seen["raw"]["getLyrics"] += 1  # not validated: see the server bug
    raw.xml("getLyrics", {"artist": "nobody", "title": "nothing"})
    server_bug(ctx, b'"value"' in lyrics.body, "getLyrics without a match",
               f"lyrics lacks the required value (send \"\"): {lyrics.body[:200]!r}")
    raw.both("getLyricsBySongId", {"id": i["song"]})
    raw.both("getLyricsBySongId", {"id": NO_SUCH_ID}, expect=70)


def media_py_sonic(ctx: Context) -> None:
    c, i = ctx.py_sonic(), ids(ctx)
    called(ctx, "py-sonic", "stream", lambda: c.stream(i["song"]).read())
    called(ctx, "py-sonic", "download", lambda: c.download(i["song"]).read())
    called(ctx, "py-sonic", "getCoverArt", lambda: c.getCoverArt(i["coverArt"]).read())
    if ctx.report.raises("getAvatar: no avatar", sonic_errors.DataNotFoundError, c.getAvatar, ctx.args.username):
        pass  # py-sonic's hook observed the JSON error
    lib(ctx, "getLyrics", c.getLyrics, None, ctx.expect["everyField"]["title"])


def media_py_opensonic(ctx: Context) -> None:
    c, i = ctx.py_opensonic(), ids(ctx)
    called(ctx, "py-opensonic", "stream", lambda: c.stream(i["song"]))
    called(ctx, "py-opensonic", "download", lambda: c.download(i["song"]))
    called(ctx, "py-opensonic", "getCoverArt", lambda: c.get_cover_art(i["coverArt"]))
    if ctx.report.raises("get_avatar: no avatar", opensonic_errors.DataNotFoundError, c.get_avatar, ctx.args.username):
        ctx.observer.seen["py-opensonic"]["getAvatar"] += 1
    lib(ctx, "get_lyrics", c.get_lyrics, None, ctx.expect["everyField"]["title"])
    lib(ctx, "get_lyrics_by_song_id", c.get_lyrics_by_song_id, i["song"])


def media_knuckles(ctx: Context) -> None:
    import tempfile
    from pathlib import Path
    m, i = ctx.knuckles().media_retrieval, ids(ctx)
    with tempfile.TemporaryDirectory() as folder:
        url = m.stream(i["song"])
        called(ctx, "knuckles", "stream", lambda: fetch(url).body or None)
        called(ctx, "knuckles", "download", m.download, i["song"], Path(folder))
        called(ctx, "knuckles", "getCoverArt", m.get_cover_art, i["coverArt"], Path(folder))
        # knuckles saves the JSON error as the avatar file (no error check on downloads)
        lib(ctx, "get_avatar", m.get_avatar, ctx.args.username, Path(folder))
    lib(ctx, "get_lyrics", m.get_lyrics, None, ctx.expect["everyField"]["title"])


# MARK: - annotation


def annotation_raw(ctx: Context) -> None:
    raw, report, i = ctx.raw, ctx.report, ids(ctx)
    raw.json("star", {"id": i["song"], "albumId": i["album"], "artistId": i["artist"]})
    raw.xml("star", {"id": i["songs"][1]})
    starred = raw.both("getStarred2")["starred2"]
    report.check(i["song"] in [s["id"] for s in starred.get("song", [])], "getStarred2: the starred song")
    report.check(i["songs"][1] in [s["id"] for s in starred.get("song", [])], "getStarred2: the song starred in XML")
    report.check(i["album"] in [a["id"] for a in starred.get("album", [])], "getStarred2: the starred album")
    report.check(i["artist"] in [a["id"] for a in starred.get("artist", [])], "getStarred2: the starred artist")
    server_bug(ctx, all("starred" in s for s in starred.get("song", [])), "getStarred2: songs carry starred",
               "starred songs lack their starred date")
    listed = raw.json("getAlbumList2", {"type": "starred"})["albumList2"].get("album", [])
    report.equal([a["id"] for a in listed], [i["album"]], "getAlbumList2(starred)")
    raw.json("unstar", {"id": i["song"], "albumId": i["album"], "artistId": i["artist"]})
    raw.xml("unstar", {"id": i["songs"][1]})
    report.equal(raw.json("getStarred2")["starred2"].get("song", []), [], "unstar: nothing starred")
    raw.json("setRating", {"id": i["song"], "rating": 4})
    rated = raw.json("getSong", {"id": i["song"]})["song"].get("userRating")
    server_bug(ctx, rated == 4, "setRating 4 then getSong", f"userRating {rated!r}, expected 4")
    raw.xml("setRating", {"id": i["song"], "rating": 0})
    report.equal(raw.json("getSong", {"id": i["song"]})["song"].get("userRating"), None, "setRating 0 removes")
    raw.both("setRating", {"id": i["song"], "rating": 6}, expect="failed")
    raw.both("setRating", {"id": i["song"]}, expect=10)
    raw.json("scrobble", {"id": i["song"], "submission": False})
    playing = raw.both("getNowPlaying")["nowPlaying"].get("entry", [])
    report.check(i["song"] in [e["id"] for e in playing], "scrobble submission=false: getNowPlaying shows it",
                 f"{playing}")
    before = raw.json("getSong", {"id": i["song"]})["song"].get("playCount", 0)
    raw.xml("scrobble", {"id": i["song"], "time": int(time.time() * 1000)})
    after = raw.json("getSong", {"id": i["song"]})["song"].get("playCount", 0)
    server_bug(ctx, after == before + 1, "scrobble then getSong", f"playCount {after!r}, expected {before + 1}")
    raw.both("scrobble", {"id": NO_SUCH_ID}, expect=70)
    raw.both("star", {"id": NO_SUCH_ID}, expect=70)


def annotation_py_sonic(ctx: Context) -> None:
    c, i, report = ctx.py_sonic(), ids(ctx), ctx.report
    lib(ctx, "star", c.star, [i["song"]])
    report.check(i["song"] in [s["id"] for s in c.getStarred2()["starred2"].get("song", [])], "star → getStarred2")
    lib(ctx, "unstar", c.unstar, [i["song"]])
    lib(ctx, "setRating", c.setRating, i["song"], 3)
    lib(ctx, "setRating 0", c.setRating, i["song"], 0)
    lib(ctx, "scrobble", c.scrobble, i["song"], False)


def annotation_py_opensonic(ctx: Context) -> None:
    c, i, report = ctx.py_opensonic(), ids(ctx), ctx.report
    lib(ctx, "star", c.star, [i["song"]])
    report.check(i["song"] in [s.id for s in c.get_starred2().song or []], "star → get_starred2")
    lib(ctx, "unstar", c.unstar, [i["song"]])
    lib(ctx, "set_rating", c.set_rating, i["song"], 2)
    lib(ctx, "set_rating 0", c.set_rating, i["song"], 0)
    lib(ctx, "scrobble", c.scrobble, i["song"], False)
    playing = lib(ctx, "get_now_playing", c.get_now_playing)
    if playing is not None:
        report.check(i["song"] in [e.id for e in playing], "scrobble → get_now_playing")


def annotation_knuckles(ctx: Context) -> None:
    import datetime as dt
    a, i, report = ctx.knuckles().media_annotation, ids(ctx), ctx.report
    lib(ctx, "star_song", a.star_song, i["song"])
    lib(ctx, "star_album", a.star_album, i["album"])
    starred = ctx.raw.json("getStarred2")["starred2"]
    report.check(i["song"] in [s["id"] for s in starred.get("song", [])], "star_song → getStarred2")
    lib(ctx, "unstar_song", a.unstar_song, i["song"])
    lib(ctx, "unstar_album", a.unstar_album, i["album"])
    lib(ctx, "set_rating", a.set_rating, i["song"], 5)
    lib(ctx, "remove_rating", a.remove_rating, i["song"])
    lib(ctx, "scrobble", a.scrobble, [i["song"]], [dt.datetime.now()], False)


# MARK: - queues: bookmarks and play queue


def queues_raw(ctx: Context) -> None:
    raw, report, i = ctx.raw, ctx.report, ids(ctx)
    raw.json("createBookmark", {"id": i["song"], "position": 12345, "comment": "here"})
    raw.xml("createBookmark", {"id": i["songs"][1], "position": 1})
    marks = raw.both("getBookmarks")["bookmarks"].get("bookmark", [])
    mine = [m for m in marks if m["entry"]["id"] == i["song"]]
    if report.check(len(mine) == 1, "getBookmarks: the bookmark"):
        report.equal(mine[0]["position"], 12345, "bookmark position")
        report.equal(mine[0].get("comment"), "here", "bookmark comment")
    raw.json("createBookmark", {"id": i["song"], "position": 999})
    marks = raw.json("getBookmarks")["bookmarks"].get("bookmark", [])
    report.equal([m["position"] for m in marks if m["entry"]["id"] == i["song"]], [999], "createBookmark overwrites")
    raw.json("deleteBookmark", {"id": i["song"]})
    raw.xml("deleteBookmark", {"id": i["songs"][1]})
    report.equal(raw.json("getBookmarks")["bookmarks"].get("bookmark", []), [], "deleteBookmark")
    raw.both("createBookmark", {"id": i["song"]}, expect=10)
    queue = i["songs"][:3]
    raw.json("savePlayQueue", [*[("id", s) for s in queue], ("current", queue[1]), ("position", 4242)])
    got = raw.both("getPlayQueue")["playQueue"]
    report.equal([e["id"] for e in got.get("entry", [])], queue, "getPlayQueue: entries")
    report.equal(str(got.get("current")), str(queue[1]), "getPlayQueue: current")
    report.equal(got.get("position"), 4242, "getPlayQueue: position")
    raw.xml("savePlayQueue", [*[("id", s) for s in queue], ("current", queue[0])])
    by_index = raw.both("getPlayQueueByIndex")["playQueueByIndex"]
    report.equal(by_index.get("currentIndex"), 0, "getPlayQueueByIndex: currentIndex of the saved current")
    raw.json("savePlayQueueByIndex", [*[("id", s) for s in queue], ("currentIndex", 2), ("position", 7)])
    by_index = raw.json("getPlayQueueByIndex")["playQueueByIndex"]
    report.equal([e["id"] for e in by_index.get("entry", [])], queue, "savePlayQueueByIndex: entries")
    report.equal(by_index.get("currentIndex"), 2, "savePlayQueueByIndex: currentIndex")
    report.equal(by_index.get("position"), 7, "savePlayQueueByIndex: position")
    raw.xml("savePlayQueueByIndex", [*[("id", s) for s in queue], ("currentIndex", 1)])
    raw.both("savePlayQueueByIndex", [*[("id", s) for s in queue], ("currentIndex", 3)], expect=10)
    raw.json("savePlayQueue")  # no id: clears
    cleared = raw.send("getPlayQueue", format="json")
    server_bug(ctx, b'"playQueue"' in cleared.body or b'"failed"' in cleared.body, "getPlayQueue after clearing",
               f"ok without the required playQueue: {cleared.body[:200]!r}")


def queues_py_sonic(ctx: Context) -> None:
    c, i, report = ctx.py_sonic(), ids(ctx), ctx.report
    lib(ctx, "createBookmark", c.createBookmark, i["song"], 500)
    marks = c.getBookmarks()["bookmarks"].get("bookmark", [])
    report.equal([m["position"] for m in marks], [500], "getBookmarks")
    lib(ctx, "deleteBookmark", c.deleteBookmark, i["song"])
    lib(ctx, "savePlayQueue", c.savePlayQueue, i["songs"][:2], i["songs"][1], 10)
    queue = lib(ctx, "getPlayQueue", c.getPlayQueue)
    if queue is not None:
        report.equal([e["id"] for e in queue["playQueue"].get("entry", [])], i["songs"][:2], "getPlayQueue")


def queues_py_opensonic(ctx: Context) -> None:
    c, i, report = ctx.py_opensonic(), ids(ctx), ctx.report
    lib(ctx, "create_bookmark", c.create_bookmark, i["song"], 600)
    marks = lib(ctx, "get_bookmarks", c.get_bookmarks)
    if marks is not None:
        report.equal([m.position for m in marks], [600], "get_bookmarks")
    lib(ctx, "delete_bookmark", c.delete_bookmark, i["song"])
    lib(ctx, "save_play_queue", c.save_play_queue, i["songs"][:2], i["songs"][0], 10)
    queue = lib(ctx, "get_play_queue", c.get_play_queue)
    if queue is not None:
        report.equal([e.id for e in queue.entry or []], i["songs"][:2], "get_play_queue")
    lib(ctx, "save_play_queue_by_index", c.save_play_queue_by_index, i["songs"][:3], 1, 20)
    queue = lib(ctx, "get_play_queue_by_index", c.get_play_queue_by_index)
    if queue is not None:
        report.equal(queue.current_index, 1, "get_play_queue_by_index: current index")


def queues_knuckles(ctx: Context) -> None:
    b, i, report = ctx.knuckles().bookmarks, ids(ctx), ctx.report
    lib(ctx, "create_bookmark", b.create_bookmark, i["song"], 700)
    marks = lib(ctx, "get_bookmarks", b.get_bookmarks)
    if marks is not None:
        report.equal([m.position for m in marks], [700], "get_bookmarks")
    lib(ctx, "delete_bookmark", b.delete_bookmark, i["song"])
    lib(ctx, "save_play_queue", b.save_play_queue, i["songs"][:2], i["songs"][0], 30)
    queue = lib(ctx, "get_play_queue", b.get_play_queue)
    if queue is not None:
        report.equal([s.id for s in queue.songs or []], i["songs"][:2], "get_play_queue")


# MARK: - sharing


def sharing_raw(ctx: Context) -> None:
    raw, report, i = ctx.raw, ctx.report, ids(ctx)
    created = raw.json("createShare", {"id": i["song"], "description": "for you"})["shares"]["share"]
    if not report.equal(len(created), 1, "createShare: one share"):
        return
    share = created[0]
    report.equal([e["id"] for e in share.get("entry", [])], [i["song"]], "createShare: the entry")
    page = fetch(share["url"])
    report.equal(page.status, 200, "the share url opens without credentials")
    raw.json("updateShare", {"id": share["id"], "description": "changed", "expires": 4102444800000})
    shares = raw.both("getShares")["shares"].get("share", [])
    mine = [s for s in shares if s["id"] == share["id"]]
    if report.check(len(mine) == 1, "getShares: the share"):
        report.equal(mine[0].get("description"), "changed", "updateShare: description")
        report.check(str(mine[0].get("expires", "")).startswith("2100-01-01"), "updateShare: expires",
                     f"{mine[0].get('expires')}")
    xml_share = raw.xml("createShare", {"id": i["album"]})
    xml_id = xml_share.find(f"{{{NAMESPACE}}}shares/{{{NAMESPACE}}}share").get("id")
    raw.xml("updateShare", {"id": xml_id, "expires": 0})
    raw.json("deleteShare", {"id": share["id"]})
    raw.xml("deleteShare", {"id": xml_id})
    report.check(fetch(share["url"]).status in (404, 410), "a deleted share's url is gone")
    report.equal(raw.json("getShares")["shares"].get("share", []), [], "deleteShare")
    raw.both("createShare", expect=10)
    raw.both("deleteShare", {"id": NO_SUCH_ID}, expect=70)


def sharing_py_sonic(ctx: Context) -> None:
    c, i = ctx.py_sonic(), ids(ctx)
    created = lib(ctx, "createShare", c.createShare, [i["song"]], "py-sonic")
    if created is not None:
        sid = created["shares"]["share"][0]["id"]
        lib(ctx, "updateShare", c.updateShare, sid, "renamed")
        lib(ctx, "getShares", c.getShares)
        lib(ctx, "deleteShare", c.deleteShare, sid)


def sharing_py_opensonic(ctx: Context) -> None:
    c, i = ctx.py_opensonic(), ids(ctx)
    created = lib(ctx, "create_share", c.create_share, [i["song"]], "opensonic")
    shares = lib(ctx, "get_shares", c.get_shares) or []
    for share in shares:
        ctx.report.known_client_bug("update_share", "py-opensonic sends the expires value as a key",
                                    (TypeError,), lambda: c.update_share(share.id, "renamed"))
        lib(ctx, "delete_share", c.delete_share, share.id)
    ctx.report.check(created is not None and len(shares) == 1, "create_share → get_shares")


def sharing_knuckles(ctx: Context) -> None:
    s, i = ctx.knuckles().sharing, ids(ctx)
    created = lib(ctx, "create_share", s.create_share, [i["song"]], "knuckles")
    if created is not None:
        lib(ctx, "update_share", s.update_share, created.id, "renamed")
        lib(ctx, "get_shares", s.get_shares)
        lib(ctx, "delete_share", s.delete_share, created.id)


# MARK: - radio


def radio_raw(ctx: Context) -> None:
    raw, report = ctx.raw, ctx.report
    raw.json("createInternetRadioStation", {"name": "Radio J", "streamUrl": "http://radio.example/j",
                                            "homepageUrl": "http://radio.example"})
    raw.xml("createInternetRadioStation", {"name": "Radio X", "streamUrl": "http://radio.example/x"})
    stations = raw.both("getInternetRadioStations")["internetRadioStations"].get("internetRadioStation", [])
    by_name = {s["name"]: s for s in stations}
    if report.check({"Radio J", "Radio X"} <= set(by_name), "getInternetRadioStations: both", f"{stations}"):
        report.equal(by_name["Radio J"].get("homePageUrl"), "http://radio.example", "homepageUrl → homePageUrl")
        report.equal(by_name["Radio J"]["streamUrl"], "http://radio.example/j", "streamUrl")
        rid, xid = by_name["Radio J"]["id"], by_name["Radio X"]["id"]
        raw.json("updateInternetRadioStation", {"id": rid, "name": "Radio K", "streamUrl": "http://radio.example/k"})
        raw.xml("updateInternetRadioStation", {"id": xid, "name": "Radio Y", "streamUrl": "http://radio.example/y"})
        names = sorted(s["name"] for s in raw.json("getInternetRadioStations")["internetRadioStations"]
                       .get("internetRadioStation", []))
        report.equal(names, ["Radio K", "Radio Y"], "updateInternetRadioStation")
        raw.json("deleteInternetRadioStation", {"id": rid})
        raw.xml("deleteInternetRadioStation", {"id": xid})
    report.equal(raw.json("getInternetRadioStations")["internetRadioStations"].get("internetRadioStation", []), [],
                 "deleteInternetRadioStation")
    raw.both("createInternetRadioStation", {"name": "no url"}, expect=10)
    raw.both("deleteInternetRadioStation", {"id": NO_SUCH_ID}, expect=70)


def radio_py_sonic(ctx: Context) -> None:
    c = ctx.py_sonic()
    lib(ctx, "createInternetRadioStation", c.createInternetRadioStation, "http://radio.example/p", "PS", None)
    stations = c.getInternetRadioStations()["internetRadioStations"].get("internetRadioStation", [])
    for station in stations:
        lib(ctx, "updateInternetRadioStation", c.updateInternetRadioStation, station["id"], "http://r.example/q",
            "PS2", None)
        lib(ctx, "deleteInternetRadioStation", c.deleteInternetRadioStation, station["id"])
    ctx.report.equal(len(stations), 1, "py-sonic radio create → get")


def radio_py_opensonic(ctx: Context) -> None:
    c = ctx.py_opensonic()
    lib(ctx, "create_internet_radio_station", c.create_internet_radio_station, "http://radio.example/o", "PO")
    stations = lib(ctx, "get_internet_radio_stations", c.get_internet_radio_stations) or []
    for station in stations:
        lib(ctx, "update_internet_radio_station", c.update_internet_radio_station, station.id,
            "http://radio.example/o2", "PO2")
        lib(ctx, "delete_internet_radio_station", c.delete_internet_radio_station, station.id)
    ctx.report.equal(len(stations), 1, "py-opensonic radio create → get")


def radio_knuckles(ctx: Context) -> None:
    r = ctx.knuckles().internet_radio
    lib(ctx, "create_internet_radio_station", r.create_internet_radio_station, "http://radio.example/k", "KN")
    ctx.report.known_client_bug("get_internet_radio_stations", "knuckles expects homepageUrl; the spec sends "
                                "homePageUrl", (TypeError,), r.get_internet_radio_stations)
    for station in ctx.raw.json("getInternetRadioStations")["internetRadioStations"].get("internetRadioStation", []):
        lib(ctx, "update_internet_radio_station", r.update_internet_radio_station, station["id"],
            "http://radio.example/k2", "KN2")
        lib(ctx, "delete_internet_radio_station", r.delete_internet_radio_station, station["id"])


# MARK: - users


def as_user(ctx: Context, username: str, password: str) -> RawClient:
    return RawClient(ctx.raw.base_url, Credentials(username, password, password, None), ctx.observer)


def users_raw(ctx: Context) -> None:
    raw, report, me = ctx.raw, ctx.report, ctx.args.username
    user = raw.both("getUser", {"username": me})["user"]
    report.equal(user.get("username"), me, "getUser: own user")
    report.equal(user.get("adminRole"), True, "getUser: admin")
    report.check("password" not in user, "getUser: no password")
    raw.json("createUser", {"username": "harness-user", "password": "harness-pass-1", "email": "h@example.org",
                            "streamRole": True, "downloadRole": False})
    raw.xml("createUser", {"username": "harness-xml", "password": "enc:" + "harness-pass-2".encode().hex(),
                           "email": "x@example.org"})
    names = [u["username"] for u in raw.both("getUsers")["users"].get("user", [])]
    report.check({me, "harness-user", "harness-xml"} <= set(names), "getUsers: all", f"{names}")
    created = raw.json("getUser", {"username": "harness-user"})["user"]
    report.equal((created.get("adminRole"), created.get("downloadRole"), created.get("streamRole")),
                 (False, False, True), "createUser: roles")
    raw.json("updateUser", {"username": "harness-user", "downloadRole": True, "email": "new@example.org"})
    updated = raw.json("getUser", {"username": "harness-user"})["user"]
    report.equal(updated.get("downloadRole"), True, "updateUser: role")
    report.equal(updated.get("email"), "new@example.org", "updateUser: email")
    raw.xml("updateUser", {"username": "harness-xml", "shareRole": True})
    raw.json("changePassword", {"username": "harness-user", "password": "harness-pass-3"})
    raw.xml("changePassword", {"username": "harness-xml", "password": "enc:" + "harness-pass-4".encode().hex()})
    plain = as_user(ctx, "harness-user", "harness-pass-3")
    report.equal(plain.json("getUser", {"username": "harness-user"}, auth="password")["user"]["username"],
                 "harness-user", "the user signs in with the changed password")
    plain.both("getUsers", auth="password", expect=50)
    plain.both("getUser", {"username": me}, auth="password", expect=50)
    plain.both("createUser", {"username": "x", "password": "y", "email": "z@z"}, auth="password", expect=50)
    plain.json("deleteUser", {"username": "harness-xml"}, auth="password", expect=50)
    plain.json("changePassword", {"username": me, "password": "nope"}, auth="password", expect=50)
    plain.json("createInternetRadioStation", {"name": "n", "streamUrl": "http://s"}, auth="password", expect=50)
    plain.json("changePassword", {"username": "harness-user", "password": "harness-pass-5"}, auth="password")
    ctx.reset_throttle()
    raw.both("createUser", {"username": "harness-user", "password": "p", "email": "e@e"}, expect="failed")
    raw.both("createUser", {"username": "only-name"}, expect=10)
    raw.json("deleteUser", {"username": "harness-user"})
    raw.xml("deleteUser", {"username": "harness-xml"})
    raw.both("getUser", {"username": "harness-user"}, expect=70)
    raw.both("deleteUser", {"username": me}, expect="failed")  # not oneself


def users_py_sonic(ctx: Context) -> None:
    c, report = ctx.py_sonic(), ctx.report
    lib(ctx, "getUser", c.getUser, ctx.args.username)
    lib(ctx, "createUser", c.createUser, "ps-user", "ps-pass-1", "ps@example.org")
    lib(ctx, "updateUser", c.updateUser, "ps-user", None, "ps2@example.org")
    lib(ctx, "changePassword", c.changePassword, "ps-user", "ps-pass-2")
    users = lib(ctx, "getUsers", c.getUsers)
    if users is not None:
        report.check("ps-user" in [u["username"] for u in users["users"]["user"]], "getUsers: created user")
    lib(ctx, "deleteUser", c.deleteUser, "ps-user")


def users_py_opensonic(ctx: Context) -> None:
    c, report = ctx.py_opensonic(), ctx.report
    me = lib(ctx, "get_user", c.get_user, ctx.args.username)
    if me is not None:
        report.equal(me.admin_role, True, "get_user: admin")
    lib(ctx, "create_user", c.create_user, "po-user", "po-pass-1", "po@example.org")
    lib(ctx, "update_user", c.update_user, "po-user", None, "po2@example.org")
    lib(ctx, "change_password", c.change_password, "po-user", "po-pass-2")
    users = lib(ctx, "get_users", c.get_users)
    if users is not None:
        report.check("po-user" in [u.username for u in users], "get_users: created user")
    lib(ctx, "delete_user", c.delete_user, "po-user")


def users_knuckles(ctx: Context) -> None:
    u = ctx.knuckles().user_management
    ctx.report.known_client_bug("get_user", "knuckles reads user.password etc. the spec has not",
                                (KeyError,), lambda: u.get_user(ctx.args.username))
    ctx.report.known_client_bug("get_users", "knuckles reads user.password etc. the spec has not",
                                (KeyError,), u.get_users)
    lib(ctx, "create_user", u.create_user, "kn-user", "kn-pass-1", "kn@example.org")
    lib(ctx, "update_user", u.update_user, "kn-user", None, "kn2@example.org")
    lib(ctx, "change_password", u.change_password, "kn-user", "kn-pass-2")
    lib(ctx, "delete_user", u.delete_user, "kn-user")


# MARK: - jukebox


def jukebox_raw(ctx: Context) -> None:
    """jukeboxControl drives the web player SubsonicClientTests.swift opened and marked as the
    admin's jukebox (its event stream receives the commands)."""
    raw, report, i = ctx.raw, ctx.report, ids(ctx)
    songs = i["songs"][:2]
    status = raw.both("jukeboxControl", [("action", "set"), *[("id", s) for s in songs]])["jukeboxStatus"]
    report.equal(status.get("currentIndex"), 0, "jukeboxControl set: the first song current")
    status = raw.both("jukeboxControl", {"action": "start"})["jukeboxStatus"]
    report.equal(status.get("playing"), True, "jukeboxControl start: playing")
    status = raw.both("jukeboxControl", {"action": "setGain", "gain": 0.25})["jukeboxStatus"]
    report.equal(status.get("gain"), 0.25, "jukeboxControl setGain: the gain")
    listing = raw.both("jukeboxControl", {"action": "get"})["jukeboxPlaylist"]
    report.equal([e.get("id") for e in listing.get("entry", [])], songs, "jukeboxControl get: the songs in order")
    status = raw.both("jukeboxControl", {"action": "stop"})["jukeboxStatus"]
    report.equal(status.get("playing"), False, "jukeboxControl stop: not playing")
    raw.both("jukeboxControl", {"action": "setGain", "gain": 3}, expect=0)
    raw.both("jukeboxControl", [("action", "add"), ("id", NO_SUCH_ID)], expect=70)


def jukebox_py_sonic(ctx: Context) -> None:
    conn, report, i = ctx.py_sonic(), ctx.report, ids(ctx)
    lib(ctx, "jukeboxControl clear", conn.jukeboxControl, "clear")
    status = lib(ctx, "jukeboxControl add", conn.jukeboxControl, "add", None, i["songs"][:1])
    if status is not None:
        report.equal(status["jukeboxStatus"].get("playing"), False, "py-sonic jukebox add: not playing yet")
    status = lib(ctx, "jukeboxControl start", conn.jukeboxControl, "start")
    if status is not None:
        report.equal(status["jukeboxStatus"].get("playing"), True, "py-sonic jukebox start: playing")


def jukebox_py_opensonic(ctx: Context) -> None:
    conn, report, i = ctx.py_opensonic(), ctx.report, ids(ctx)
    # py-opensonic sends the songs only with "add" (its "set" drops them), as py-sonic does.
    lib(ctx, "jukebox_control clear", conn.jukebox_control, "clear")
    lib(ctx, "jukebox_control add", conn.jukebox_control, "add", None, i["songs"][:2])
    listing = lib(ctx, "jukebox_control get", conn.jukebox_control, "get")
    if listing is not None:
        report.equal(len(listing.entry or []), 2, "py-opensonic jukebox get: two songs")


def jukebox_knuckles(ctx: Context) -> None:
    box, report, i = ctx.knuckles().jukebox, ctx.report, ids(ctx)
    lib(ctx, "jukebox set", box.set, i["songs"][:2])
    status = lib(ctx, "jukebox status", box.status)
    if status is not None:
        report.equal(status.current_index, 0, "knuckles jukebox status: the first song current")


# MARK: - scanning


def scanning_raw(ctx: Context) -> None:
    raw, report = ctx.raw, ctx.report
    status = raw.both("getScanStatus")["scanStatus"]
    report.equal(status.get("scanning"), False, "getScanStatus: not scanning")
    report.equal(status.get("count"), ctx.expect["trackCount"], "getScanStatus: count")
    started = raw.json("startScan")["scanStatus"]
    report.check("scanning" in started, "startScan: a scanStatus")
    deadline = time.monotonic() + 15
    while raw.json("getScanStatus")["scanStatus"].get("scanning") and time.monotonic() < deadline:
        time.sleep(0.2)
    raw.xml("startScan")
    while raw.json("getScanStatus")["scanStatus"].get("scanning") and time.monotonic() < deadline:
        time.sleep(0.2)
    report.equal(raw.json("getScanStatus")["scanStatus"].get("count"), ctx.expect["trackCount"],
                 "getScanStatus after the scan: count")


def scanning_py_sonic(ctx: Context) -> None:
    c = ctx.py_sonic()
    lib(ctx, "getScanStatus", c.getScanStatus)
    lib(ctx, "startScan", c.startScan)


def scanning_py_opensonic(ctx: Context) -> None:
    c = ctx.py_opensonic()
    lib(ctx, "get_scan_status", c.get_scan_status)
    lib(ctx, "start_scan", c.start_scan)


def scanning_knuckles(ctx: Context) -> None:
    s = ctx.knuckles().media_library_scanning
    lib(ctx, "get_scan_status", s.get_scan_status)
    lib(ctx, "start_scan", s.start_scan)
    deadline = time.monotonic() + 15
    while ctx.raw.json("getScanStatus")["scanStatus"].get("scanning") and time.monotonic() < deadline:
        time.sleep(0.2)



# MARK: - The table


@dataclass
class Group:
    name: str
    methods: tuple[str, ...]
    checks: dict[str, Callable[[Context], None]]  # client ("raw" or one of CLIENTS) -> its checks


GROUPS = [
    Group(
        "system", ("ping", "getLicense", "getOpenSubsonicExtensions", "tokenInfo"),
        {"raw": system_raw, "py-sonic": system_py_sonic, "py-opensonic": system_py_opensonic,
         "knuckles": system_knuckles},
    ),
    Group(
        "browsing", ("getMusicFolders", "getArtists", "getArtist", "getAlbum", "getSong", "getGenres"),
        {"raw": browsing_raw, "py-sonic": browsing_py_sonic, "py-opensonic": browsing_py_opensonic,
         "knuckles": browsing_knuckles},
    ),
    Group(
        "browsing", ('getIndexes', 'getMusicDirectory', 'getArtistInfo', 'getArtistInfo2', 'getAlbumInfo', 'getAlbumInfo2', 'getSimilarSongs', 'getSimilarSongs2', 'getTopSongs'),
        {"raw": directories_raw, "py-sonic": directories_py_sonic, "py-opensonic": directories_py_opensonic,
         "knuckles": directories_knuckles},
    ),
    Group("sonic", ("getSonicSimilarTracks", "findSonicPath"), {"raw": sonic_raw, "py-opensonic": sonic_py_opensonic}),
    Group(
        "lists", ('getAlbumList', 'getAlbumList2', 'getRandomSongs', 'getSongsByGenre', 'getNowPlaying', 'getStarred', 'getStarred2'),
        {"raw": lists_raw, "py-sonic": lists_py_sonic, "py-opensonic": lists_py_opensonic,
         "knuckles": lists_knuckles},
    ),
    Group(
        "search", ('search2', 'search3'),
        {"raw": search_raw, "py-sonic": search_py_sonic, "py-opensonic": search_py_opensonic,
         "knuckles": search_knuckles},
    ),
    Group(
        "playlists", ('getPlaylists', 'getPlaylist', 'createPlaylist', 'updatePlaylist', 'deletePlaylist'),
        {"raw": playlists_raw, "py-sonic": playlists_py_sonic, "py-opensonic": playlists_py_opensonic,
         "knuckles": playlists_knuckles},
    ),
    Group(
        "media", ('stream', 'download', 'getCoverArt', 'getLyrics', 'getLyricsBySongId', 'getAvatar'),
        {"raw": media_raw, "py-sonic": media_py_sonic, "py-opensonic": media_py_opensonic,
         "knuckles": media_knuckles},
    ),
    Group(
        "annotation", ('star', 'unstar', 'setRating', 'scrobble'),
        {"raw": annotation_raw, "py-sonic": annotation_py_sonic, "py-opensonic": annotation_py_opensonic,
         "knuckles": annotation_knuckles},
    ),
    Group(
        "queues", ('getBookmarks', 'createBookmark', 'deleteBookmark', 'getPlayQueue', 'savePlayQueue', 'getPlayQueueByIndex', 'savePlayQueueByIndex'),
        {"raw": queues_raw, "py-sonic": queues_py_sonic, "py-opensonic": queues_py_opensonic,
         "knuckles": queues_knuckles},
    ),
    Group(
        "sharing", ('getShares', 'createShare', 'updateShare', 'deleteShare'),
        {"raw": sharing_raw, "py-sonic": sharing_py_sonic, "py-opensonic": sharing_py_opensonic,
         "knuckles": sharing_knuckles},
    ),
    Group(
        "radio", ('getInternetRadioStations', 'createInternetRadioStation', 'updateInternetRadioStation', 'deleteInternetRadioStation'),
        {"raw": radio_raw, "py-sonic": radio_py_sonic, "py-opensonic": radio_py_opensonic,
         "knuckles": radio_knuckles},
    ),
    Group(
        "users", ('getUser', 'getUsers', 'createUser', 'updateUser', 'deleteUser', 'changePassword'),
        {"raw": users_raw, "py-sonic": users_py_sonic, "py-opensonic": users_py_opensonic,
         "knuckles": users_knuckles},
    ),
    Group(
        "jukebox", ("jukeboxControl",),
        {"raw": jukebox_raw, "py-sonic": jukebox_py_sonic, "py-opensonic": jukebox_py_opensonic,
         "knuckles": jukebox_knuckles},
    ),
    Group(
        "scanning", ('getScanStatus', 'startScan'),
        {"raw": scanning_raw, "py-sonic": scanning_py_sonic, "py-opensonic": scanning_py_opensonic,
         "knuckles": scanning_knuckles},
    ),
]


# MARK: - Running


def check_validator(report: Report, schemas: Schemas) -> None:
    """The validator itself: broken documents must be refused (a schema resolved to the wrong
    file would let everything through)."""
    envelope = {"status": "ok", "version": "1.16.1", "type": "t", "serverVersion": "1", "openSubsonic": True}
    broken = {
        "ping": {"status": "ok"},
        "getAlbum": {**envelope, "album": {"id": "1", "name": "n", "songCount": 1, "duration": 1,
                                           "created": "yesterday", "song": [{"id": "2", "isDir": "false"}]}},
        "getGenres": {**envelope, "status": "failed", "error": {"message": "no code"}},
        "getPodcasts": envelope,  # no schema copied: only failures may pass
    }
    with report.section("validator"):
        for method, response in broken.items():
            problems = schemas.validate(method, {"subsonic-response": response})
            report.check(bool(problems), f"refuses a broken {method} response")
        report.check(not schemas.validate("ping", {"subsonic-response": envelope}), "accepts an empty success")


def check_coverage(ctx: Context) -> list[str]:
    report, seen = ctx.report, ctx.observer.seen
    lines = []
    with report.section("coverage"):
        for group in GROUPS:
            for method in group.methods:
                report.check(seen["raw"][method] > 0, f"{method}: raw f=json")
                report.check(ctx.raw.xml_seen[method] > 0, f"{method}: raw f=xml")
                marks = []
                for client in CLIENTS:
                    if method in CLIENT_GAPS[client]:
                        marks.append(f"{client} -")
                        continue
                    report.check(seen[client][method] > 0, f"{method}: called through {client}")
                    marks.append(f"{client} {seen[client][method]}")
                lines.append(f"  {group.name:<10} {method:<26} raw {seen['raw'][method]}+{ctx.raw.xml_seen[method]}"
                             f"  {'  '.join(marks)}")
        for client, wanted in MECHANISMS.items():
            used = set(ctx.observer.mechanisms[client])
            report.check(wanted <= used, f"{client}: auth mechanisms used", f"used {sorted(used)}, "
                         f"expected at least {sorted(wanted)}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", required=True, help="http://127.0.0.1:PORT (the server's root)")
    parser.add_argument("--username", required=True)
    parser.add_argument("--password", required=True, help="the login password")
    parser.add_argument("--app-password", required=True, help="the Subsonic app password (token auth)")
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--expectations", required=True, help="JSON written by SubsonicClientTests.swift")
    parser.add_argument("--group", action="append", help="run only these groups (repeatable)")
    args = parser.parse_args()

    started = time.monotonic()
    with open(args.expectations, encoding="utf-8") as file:
        expect = json.load(file)
    report = Report()
    observer = Observer(Schemas(), report)
    install_library_hooks(observer)
    url = urllib.parse.urlparse(args.base_url)
    raw = RawClient(args.base_url, Credentials(args.username, args.password, args.app_password, args.api_key), observer)
    ctx = Context(args, expect, report, observer, raw, host=f"{url.scheme}://{url.hostname}", port=url.port or 80)

    check_validator(report, observer.schemas)
    groups = [group for group in GROUPS if not args.group or group.name in args.group]
    try:
        for group in groups:
            for client in ("raw", *CLIENTS):
                checks = group.checks.get(client)
                if checks is None:
                    continue
                with report.section(f"{group.name} / {client}"), observer.as_client(client):
                    report.step("checks", checks, ctx)
    finally:
        for connection in ctx.opensonic_connections:
            connection.cleanup()
    coverage = check_coverage(ctx) if not args.group else []

    seconds = time.monotonic() - started
    print("subsonic clients: coverage (calls per client)")
    print("\n".join(coverage))
    if report.known_bugs:
        print(f"subsonic clients: {len(report.known_bugs)} known client library (and SERVER) bugs, worked around:")
        print("\n".join("  - " + bug for bug in report.known_bugs))
    if report.failures:
        print(f"subsonic clients: {len(report.failures)} FAILURES")
        for number, failure in enumerate(report.failures, 1):
            print(indent(f"{number}. {failure}", "  "))
        print(f"subsonic clients: {report.passed} checks passed, {len(report.failures)} failed "
              f"({observer.validated} JSON responses validated, {seconds:.1f} s)")
        return 1
    print(f"subsonic clients: {report.passed} checks passed ({observer.validated} JSON responses validated, "
          f"{len(report.known_bugs)} known client bugs, {seconds:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
