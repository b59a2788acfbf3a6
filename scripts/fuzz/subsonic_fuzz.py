#!/usr/bin/env python3
"""Sends hostile requests to every OpenSubsonic method of a running Canto and fails on any 5xx.

For each method (every one the server registers, the ones it refuses as not offered, and a few it
has never heard of) it sends a deterministic mix of variants: no parameters, empty values, huge
values (100 KB), repeated parameters, wrong types (text for numbers, negative, huge, floats, NaN),
unicode junk, NUL bytes, malformed percent escapes, ids of the wrong kind, broken credentials, over
GET, `.view`, form POST and a few odd bodies, in `f=json`, `f=xml`, `f=jsonp` and junk formats.

A 5xx, a connection error (the server crashed or closed on us) or a server that no longer answers
`/healthz` at the end fails the run. Plain Python (urllib), no dependencies:

    subsonic_fuzz.py --base-url http://127.0.0.1:4533 --api-key KEY [--api-key KEY2] [--requests 10000] [--pid PID]
"""

import argparse
import collections
import concurrent.futures
import http.client
import json
import os
import random
import re
import sys
import time
import urllib.parse

# Every method the server registers (Sources/CantoServer/Subsonic/*.swift, `api.on`).
METHODS = """
changePassword createBookmark createInternetRadioStation createPlaylist createShare createUser
deleteBookmark deleteInternetRadioStation deletePlaylist deleteShare deleteUser download findSonicPath
getAlbum getAlbumInfo getAlbumInfo2 getAlbumList getAlbumList2 getArtist getArtistInfo getArtistInfo2
getArtists getAvatar getBookmarks getCoverArt getGenres getIndexes getInternetRadioStations getLicense
getLyrics getLyricsBySongId getMusicDirectory getMusicFolders getNowPlaying getOpenSubsonicExtensions
getPlayQueue getPlayQueueByIndex getPlaylist getPlaylists getRandomSongs getScanStatus getShares
getSimilarSongs getSimilarSongs2 getSong getSongsByGenre getSonicSimilarTracks getStarred getStarred2
getTopSongs getUser getUsers jukeboxControl ping savePlayQueue savePlayQueueByIndex scrobble search2
search3 setRating star startScan stream tokenInfo unstar updateInternetRadioStation updatePlaylist
updateShare updateUser
""".split()
# Refused as not offered (error 0), and names no server knows.
OTHER_METHODS = ["getVideos", "hls", "getPodcasts", "search", "nonexistentMethod", "", "..%2F..%2Fetc", "ping%00"]

# Every parameter a handler reads (the same files), and the protocol's own.
PARAMETERS = """
action adminRole albumCount albumId albumOffset artist artistCount artistId artistOffset comment count
current currentIndex description downloadRole email endSongId estimateContentLength expires format
fromYear gain genre homepageUrl id ifModifiedSince index maxBitRate music musicFolderId name offset
password playlistId position public query rating shareRole size song songCount songId songIdToAdd
songIndexToRemove songOffset startSongId streamUrl submission time title toYear type username timeOffset
converted includeNotPresent limit
""".split()
# Parameters that decide what a method does: each method gets variants over all of these.
KEY_PARAMETERS = ["id", "type", "count", "offset", "size", "username", "query", "position", "index", "action"]

# What each method needs to do its work (the real ids filled in once known): every variant starts from
# these and spoils one of them or adds another, so that the hostile value reaches past the first check.
BASELINES = {
    "getAlbum": {"id": "album"}, "getAlbumInfo": {"id": "album"}, "getAlbumInfo2": {"id": "album"},
    "getArtist": {"id": "artist"}, "getArtistInfo": {"id": "artist"}, "getArtistInfo2": {"id": "artist"},
    "getSong": {"id": "song"}, "stream": {"id": "song", "maxBitRate": "64", "format": "mp3"},
    "download": {"id": "song"}, "getLyricsBySongId": {"id": "song"}, "scrobble": {"id": "song"},
    "star": {"id": "song", "albumId": "album", "artistId": "artist"},
    "unstar": {"id": "song", "albumId": "album", "artistId": "artist"},
    "setRating": {"id": "song", "rating": "3"}, "createBookmark": {"id": "song", "position": "1000"},
    "deleteBookmark": {"id": "song"}, "getSimilarSongs": {"id": "song"}, "getSimilarSongs2": {"id": "artist"},
    "getSonicSimilarTracks": {"id": "song", "count": "5"},
    "findSonicPath": {"startSongId": "song", "endSongId": "song2", "count": "5"},
    "savePlayQueue": {"id": "song", "current": "song", "position": "10"},
    "savePlayQueueByIndex": {"id": "song", "currentIndex": "0", "position": "10"},
    "getCoverArt": {"id": "cover", "size": "64"}, "getMusicDirectory": {"id": "directory"},
    "getIndexes": {"musicFolderId": "folder"}, "getArtists": {"musicFolderId": "folder"},
    "getAlbumList": {"type": "random", "size": "5"},
    "getAlbumList2": {"type": "byYear", "fromYear": "1990", "toYear": "2030"},
    "getRandomSongs": {"size": "5", "genre": "genre", "fromYear": "1900", "toYear": "2100"},
    "getSongsByGenre": {"genre": "genre", "count": "5"}, "getTopSongs": {"artist": "artistName", "count": "5"},
    "search2": {"query": "a", "songCount": "5"}, "search3": {"query": "a", "songCount": "5", "albumOffset": "1"},
    "getPlaylist": {"id": "playlist"}, "createPlaylist": {"name": "fuzz", "songId": "song"},
    "updatePlaylist": {"playlistId": "playlist", "songIdToAdd": "song", "songIndexToRemove": "0", "public": "true"},
    "deletePlaylist": {"id": "nothing"}, "createShare": {"id": "song", "description": "x", "expires": "0"},
    "updateShare": {"id": "share", "description": "x"}, "deleteShare": {"id": "nothing"},
    "createInternetRadioStation": {"streamUrl": "http://example.invalid/s", "name": "fuzz"},
    "updateInternetRadioStation": {"id": "station", "streamUrl": "http://example.invalid/s", "name": "fuzz"},
    "deleteInternetRadioStation": {"id": "nothing"}, "getUser": {"username": "fuzz"},
    "createUser": {"username": "fuzz-new", "password": "fuzz-pass-1", "email": "a@b.c"},
    "updateUser": {"username": "nobody", "email": "a@b.c"}, "deleteUser": {"username": "nobody"},
    "changePassword": {"username": "nobody", "password": "fuzz-pass-1"},
    "jukeboxControl": {"action": "status"}, "getLyrics": {"artist": "artistName", "title": "songTitle"},
    "getAvatar": {"username": "fuzz"}, "getStarred": {"musicFolderId": "folder"},
}
HUGE = "A" * 100_000
NUMBERS = [
    "-1", "0", "-0", "1.5", "1e300", "-1e300", "NaN", "nan", "inf", "-inf", "Infinity", "0x10", "1_000", " 1",
    "1 ", "+1", "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
    "18446744073709551616", "999999999999999999999999999999", "2147483648", "-2147483649", "00000000001", "١٢٣",
]
TEXT = [
    "", " ", "abc", "true", "false", "null", "undefined", "[]", "{}", "'", '"', "\\", "%", "%%", "%s%n",
    "../../etc/passwd",
    "/", "<x>&amp;", "]]>", "\x00", "a\x00b", "\r\n", "\t", "ünïcødé", "坂本龍一", "\u202e", "\ufeff", "\ud7ff",
    "\U0001f3b5" * 50, "é" * 5_000, "${jndi:x}", "' OR 1=1 --", "*", "\"*\"", "NEAR(", "a AND", "-", "^", "()",
]
BAD_IDS = [
    "tr-", "al-", "ar-", "pl-", "tr-0", "al-0", "ar-999999", "tr-zzzz", "al-\x00", "tr--1", "pl-abc", "sh-1", "ra-1",
    "bm-1", "mf-1", "dir-1", "0", "-1", "1", "x" * 1000, "tr-" + "9" * 40, "al-1e10", "tr-%00", "tr-1/../2",
]
HEADERS = [
    ("Range", "bytes=0-"), ("Range", "bytes=-0"), ("Range", "bytes=5-1"), ("Range", "bytes=999999999999-"),
    ("Range", "bytes=-99999999999999999999"), ("Range", "bytes=0-1,2-3,4-5,0-0"), ("Range", "bytes=abc"),
    ("Range", "chunks=0-1"), ("Range", "bytes=" + ",".join(["0-1"] * 2000)), ("If-None-Match", '"x"'),
    ("If-None-Match", "*"), ("If-None-Match", "W/" + "a" * 5000), ("If-Modified-Since", "yesterday"),
    ("If-Modified-Since", "Thu, 01 Jan 1970 00:00:00 GMT"), ("If-Range", "junk"), ("Accept", "*/*;q=x"),
    ("Content-Type", "multipart/form-data; boundary="), ("Accept-Encoding", "gzip;q=2, br, ü"),
]
FORMATS = ["json", "xml", "jsonp", "JSON", "yaml", "", "json\x00"]


def all_values(known_ids):
    return NUMBERS + TEXT + BAD_IDS + known_ids + [HUGE]


class Fuzzer:
    def __init__(self, base, api_keys, seed, timeout):
        parsed = urllib.parse.urlsplit(base)
        self.host, self.port = parsed.hostname, parsed.port or 80
        self.api_keys = api_keys
        self.api_key = api_keys[0]
        self.random = random.Random(seed)
        self.timeout = timeout
        self.statuses = collections.Counter()
        self.answers = collections.Counter()  # f=json answers with status 200: ok or the error code
        self.failures = []
        self.slowest = []  # (seconds, verb, target) of the five slowest answers
        self.known_ids = []
        self.real = {}  # the kinds in BASELINES ("song", "album"…) to real values

    # --- building requests -------------------------------------------------------------------

    @staticmethod
    def encode(pairs):
        """Pairs of (key, value) as a query string; a value may be `RAW:` text sent as it is."""
        parts = []
        for key, value in pairs:
            if isinstance(value, str) and value.startswith("RAW:"):
                parts.append(urllib.parse.quote(key, safe="") + "=" + value[4:])
            elif value is None:
                parts.append(urllib.parse.quote(key, safe=""))
            else:
                parts.append(urllib.parse.quote(key, safe="") + "=" + urllib.parse.quote(value, safe=""))
        return "&".join(parts)

    def auth(self, kind="key"):
        if kind == "key":
            return [("apiKey", self.random.choice(self.api_keys))]
        return {
            "none": [],
            "badkey": [("apiKey", "nope")],
            "hugekey": [("apiKey", HUGE)],
            "both": [("apiKey", self.api_key), ("u", "admin"), ("p", "x")],
            "badenc": [("u", "fuzz-nobody"), ("p", "enc:zz1")],
            "oddenc": [("u", "fuzz-nobody"), ("p", "enc:abc")],
            "token": [("u", "fuzz-nobody"), ("t", "0" * 32), ("s", "")],
            "token-junk": [("u", "\x00"), ("t", "ü" * 40), ("s", HUGE)],
            "repeated": [("apiKey", self.api_key), ("apiKey", "nope")],
        }[kind]

    def variants(self, method):
        """The requests for one method: (http method, path, query pairs, body pairs or raw body)."""
        values = all_values(self.known_ids)
        common = [("v", "1.16.1"), ("c", "fuzz")]
        for fmt in ("json", "xml"):
            yield ("GET", method, common + [("f", fmt)] + self.auth(), None)
        for fmt in FORMATS:
            extra = [("callback", self.random.choice(["cb", "", "a" * 10_000, "<script>", "\x00"]))]
            yield ("GET", method, common + [("f", fmt)] + extra + self.auth(), None)
        for kind in ("none", "badkey", "hugekey", "both", "badenc", "oddenc", "token", "token-junk", "repeated"):
            yield ("GET", method, common + [("f", "json")] + self.auth(kind), None)
        for version in ("", "x", "99.99.99", "1", "-1.-1.-1", HUGE):
            yield ("GET", method, [("v", version), ("c", "fuzz"), ("f", "json")] + self.auth(), None)
        baseline = [(name, self.real.get(kind, kind)) for name, kind in BASELINES.get(method, {}).items()]
        for fmt in ("json", "xml"):
            yield ("GET", method, common + [("f", fmt)] + self.auth(), baseline)
        # Every parameter the method needs, then the key parameters, each spoilt with each kind of value,
        # the rest of the baseline kept, in both formats and both verbs.
        names = [name for name, _ in baseline] + [name for name in KEY_PARAMETERS if name not in dict(baseline)]
        for name in names:
            rest = [pair for pair in baseline if pair[0] != name]
            for value in values:
                fmt = self.random.choice(("json", "xml"))
                verb = self.random.choice(("GET", "POST"))
                yield (verb, method, common + [("f", fmt)] + self.auth(), rest + [(name, value)])
            yield ("GET", method, common + [("f", "json")] + self.auth(), rest + [(name, v) for v in values[:30]])
        # Random mixes of parameters: repeated, empty, valueless, malformed escapes.
        for _ in range(12):
            pairs = []
            for _ in range(self.random.randint(1, 8)):
                name = self.random.choice(PARAMETERS)
                pick = self.random.random()
                if pick < 0.1:
                    pairs.append((name, None))
                elif pick < 0.2:
                    escape = self.random.choice(["%", "%z", "%zz", "%C3%28", "%FF%FE", "%00", "+++"])
                    pairs.append((name, "RAW:" + escape))
                else:
                    pairs.append((name, self.random.choice(values)))
            if self.random.random() < 0.3:
                pairs += pairs
            if self.random.random() < 0.5:
                pairs = baseline + pairs
            verb = self.random.choice(("GET", "POST", "VIEW"))
            yield (verb, method, common + [("f", self.random.choice(("json", "xml")))] + self.auth(), pairs)
        # Odd shapes of the request itself.
        yield ("POST", method, common + [("f", "json")] + self.auth(), b"\x00\xff\xfe=%%%&&&==")
        yield ("POST", method, common + [("f", "json")] + self.auth(), b"{\"id\": 1}")
        yield ("POST", method, common + [("f", "json")] + self.auth(), b"id=" + b"9" * 200_000)
        # Hostile headers: ranges, validators, content types (the media methods answer ranges and 304s).
        for name, value in HEADERS:
            yield ("GET", method, common + [("f", "json")] + self.auth(), baseline, {name: value})
        yield ("RAWQ", method, "&&&=&=%&%zz=%&" + self.encode(common + self.auth()), None)
        yield ("RAWQ", method, self.encode(self.auth()) + "&id=%C0%AF&id=%ED%A0%80&f=json", None)

    # --- sending ------------------------------------------------------------------------------

    def send(self, request):
        verb, method, query, params = request[:4]
        path = "/rest/" + method
        headers = {"User-Agent": "canto-fuzz"}
        if len(request) > 4:
            headers.update(request[4])
        body = None
        if verb == "RAWQ":
            verb, target = "GET", path + "?" + query
        else:
            query_string = self.encode(query)
            if verb == "VIEW":
                verb, path = "GET", path + ".view"
            if verb == "GET":
                if params:
                    query_string += "&" + self.encode(params)
            elif isinstance(params, bytes):
                body = params
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            else:
                body = self.encode(params or []).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            target = path + "?" + query_string
        started = time.monotonic()
        try:
            connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            connection.request(verb, target, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            status = response.status
            if status == 200 and data.startswith(b'{"subsonic-response"'):
                match = re.search(rb'"error":\{"code":(\d+)', data[:300])
                self.answers["error " + match.group(1).decode() if match else "ok"] += 1
            connection.close()
        except (OSError, http.client.HTTPException) as error:
            status = "error: " + type(error).__name__ + ": " + str(error)[:200]
        return verb, target, body, status, headers, time.monotonic() - started

    def record(self, result):
        verb, target, body, status, headers, seconds = result
        target = re.sub(r"apiKey=canto_[^&]*", "apiKey=…", target)  # the keys stay out of logs
        self.slowest = sorted(self.slowest + [(seconds, verb, target[:160])], reverse=True)[:5]
        key = status if isinstance(status, int) else "connection error"
        self.statuses[key] += 1
        if not isinstance(status, int) or status >= 500:
            shown = target if len(target) < 400 else target[:400] + f"… ({len(target)} characters)"
            detail = f"{verb} {shown}"
            extra = {name: value[:100] for name, value in headers.items() if name != "User-Agent"}
            if extra:
                detail += f" headers={extra}"
            if body:
                detail += f" body={body[:200]!r}" + (f"… ({len(body)} bytes)" if len(body) > 200 else "")
            self.failures.append(f"{status}: {detail}")

    def learn_ids(self):
        """Real ids of each kind, so that some variants reach past the lookup."""
        def get(method, **params):
            pairs = [("v", "1.16.1"), ("c", "fuzz"), ("f", "json"), ("apiKey", self.api_key)]
            query = self.encode(pairs + [(k, str(v)) for k, v in params.items()])
            connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            connection.request("GET", f"/rest/{method}?{query}")
            body = connection.getresponse().read()
            connection.close()
            return json.loads(body).get("subsonic-response", {})

        songs = get("getRandomSongs", size="3").get("randomSongs", {}).get("song", [])
        real = self.real
        if songs:
            song = songs[0]
            real.update(song=song.get("id"), song2=songs[-1].get("id"), album=song.get("albumId"),
                        artist=song.get("artistId"), cover=song.get("coverArt"), directory=song.get("parent"),
                        genre=song.get("genre"), artistName=song.get("artist"), songTitle=song.get("title"))
        folders = get("getMusicFolders").get("musicFolders", {}).get("musicFolder", [])
        if folders:
            real["folder"] = str(folders[0]["id"])
        if songs:
            created = get("createPlaylist", name="fuzz", songId=real["song"]).get("playlist", {})
            real["playlist"] = created.get("id")
            shares = get("createShare", id=real["song"]).get("shares", {}).get("share", [])
            real["share"] = shares[0].get("id") if shares else None
        get("createInternetRadioStation", streamUrl="http://example.invalid/s", name="fuzz")
        stations = get("getInternetRadioStations").get("internetRadioStations", {}).get("internetRadioStation", [])
        real["station"] = stations[0].get("id") if stations else None
        self.real = {kind: str(value) for kind, value in real.items() if value is not None}
        self.known_ids = sorted(set(self.real.values()))

    def healthy(self):
        try:
            connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            connection.request("GET", "/healthz")
            ok = connection.getresponse().status == 200
            connection.close()
            return ok
        except (OSError, http.client.HTTPException):
            return False


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", required=True)
    parser.add_argument(
        "--api-key", required=True, action="append",
        help="repeat for several callers (an admin and a user, say): each request goes as one of them")
    parser.add_argument("--requests", type=int, default=10_000, help="at least this many (default 10,000)")
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--pid", type=int, help="the server's process, checked alive at the end")
    args = parser.parse_args()

    fuzzer = Fuzzer(args.base_url, args.api_key, args.seed, args.timeout)
    if not fuzzer.healthy():
        print(f"subsonic fuzz: {args.base_url}/healthz does not answer", file=sys.stderr)
        return 2
    fuzzer.learn_ids()

    # Each method's variants in a shuffled order (a short run samples every kind of variant), and the
    # methods in turn, so that a short run still reaches every one.
    methods = METHODS + OTHER_METHODS
    queues = {}
    for method in methods:
        variants = list(fuzzer.variants(method))
        fuzzer.random.shuffle(variants)
        queues[method] = variants
    requests = []
    round_ = 0
    while len(requests) < args.requests:
        for method in methods:
            queue = queues[method]
            requests.append(queue[round_ % len(queue)])
            if len(requests) >= args.requests:
                break
        round_ += 1

    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.workers) as pool:
        for result in pool.map(fuzzer.send, requests):
            fuzzer.record(result)
    elapsed = time.monotonic() - started

    alive = True
    if args.pid is not None:
        try:
            os.kill(args.pid, 0)
        except OSError:
            alive = False
    healthy = fuzzer.healthy()
    statuses = ", ".join(f"{status}: {count}" for status, count in sorted(fuzzer.statuses.items(), key=str))
    print(f"subsonic fuzz: {len(requests)} requests to {len(methods)} methods in {elapsed:.1f} s; {statuses}")
    answers = ", ".join(f"{answer}: {count}" for answer, count in fuzzer.answers.most_common())
    print(f"subsonic fuzz: {len(fuzzer.known_ids)} real ids used; JSON answers: {answers}")
    slowest = "; ".join(f"{seconds:.2f} s {verb} {target}" for seconds, verb, target in fuzzer.slowest)
    print(f"subsonic fuzz: slowest: {slowest}")
    for failure in fuzzer.failures[:50]:
        print("  " + failure)
    if len(fuzzer.failures) > 50:
        print(f"  … and {len(fuzzer.failures) - 50} more")
    if not alive or not healthy:
        print(f"subsonic fuzz: the server is {'gone' if not alive else 'not answering /healthz'}")
    ok = not fuzzer.failures and alive and healthy
    print(f"subsonic fuzz: {'OK' if ok else 'FAILED'} ({len(fuzzer.failures)} failures)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
