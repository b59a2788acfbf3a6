#!/usr/bin/env python3
"""Drives the Canto web UI in headless Chromium (Selenium 4) against a running server.

    web_e2e.py --base http://127.0.0.1:PORT --username U --password P \
               --query Q --expect-title T --screenshots DIR [--listenbrainz-token K]

Steps (each named in the report; a failed step saves failure-<step>.png and
failure-<step>.log with the browser console, and later independent steps still run):

  login     sign in through the form
  scrobbler the profile's connected accounts refuse a wrong ListenBrainz token and connect with K;
            the admin page lists the ListenBrainz plugin with its permissions, and turns Last.fm on
  search    type Q in the search box, T shows up, ArrowDown…Enter plays it
  searchgroups the dropdown groups its results by kind (Artists, Albums, Tracks, Composers, Genres, Playlists,
            in that order, only the non-empty ones); the box's title and a line under the results give the
            query syntax; "qiuet" (a typo) shows Nina Quiet among the Artists, reached by ArrowDown across the
            groups (Enter opens her page); "olof exmaple" offers "Did you mean olof example?", whose link puts
            that in the box and shows Ólöf Example without the offer; "jazz" shows the Jazz genre (it opens the
            Jazz albums); a playlist made through the API shows under Playlists for "searchable", reached by
            ArrowUp from the end (Enter opens it)
  play      the <audio id="audio"> element advances past 1 s and is not paused; seeking to the
            end records the play in the listening history
  queue     add 3 tracks from an album page, reorder with the move button, with Alt+ArrowDown
            and with drag and drop; the DOM and the server's saved queue agree
  playlist  create a playlist, add a track through "Add to playlist…", open it, see the track
  reload    after a reload the queue page shows the same order, the player the current track,
            and nothing plays by itself
  scan      the admin page starts a scan and shows the finished scan's summary (≤ 60 s)
  browse    artist, genres, folders, starred, preferences, profile, history pages render
  foryou    after whole plays of two albums, "Make again" on For you makes daily mixes; a mix's Play
            plays its first track, its page lists its tracks; thumbs down on the playing track skips it
            and shows pressed when it plays again; pressing it again clears it; thumbs up stars
  instantmix the track menu's Instant mix queues the seed and what goes with it, and nothing is added
            after the last track ends (unlike a radio)
  genreradio the genres page's Radio button starts a radio of the genre
  sonicpath pick a start and an end track by typing, find the path between them (first and last are
            the chosen ones), play it
  stats     the Stats page for all time: its play count equals the API's (and is above 0), the
            listening chart has a bar, the top artists start with the API's first, the heatmap has
            7 weekday rows, the CSV link downloads CSV, the household lists its listeners; at
            390 px wide nothing is wider than the screen
  review    the year in review (linked from Stats) shows the API's top artist and plays, and prints
            without the navigation and player; "Save as image" makes a PNG (a data:image/png URL,
            saved as review-image.png)
  timezone  the preferences' time zone refuses an unknown zone with the server's message, saves
            Asia/Tokyo (the API answers it), then goes back to what it was
  adminstats the admin page's Server activity shows the API's streams total for 48 hours (above 0),
            the hourly chart has a bar, the scans table the API's scans; Recommendations shows a
            recommender's "shown" as the API counts it, and whether adaptation is on; at 390 px wide
            nothing is wider than the screen
  spotify   with the Spotify plugin off, the profile says to ask the admin (the route answers 404); the
            admin turns it on from the admin page; the profile imports a generated streaming history
            (plays of "Daybreak" and of "Nordur" by "Olof Example" match, accents aside; a podcast is
            skipped; "Windowlicker" is not in the library): the summary shows the server's figures;
            the same file again adds nothing, and a file that is no export shows the server's message;
            Missing music lists Windowlicker, Mine and Household (by the keyboard) and its CSV; the
            history holds the plays with the client "Spotify"
  spotifylink the profile shows the admin the redirect URI to register at Spotify (accepted, with the
            server's advice) and the listener the permissions Canto asks for, in words; Connect on Spotify
            goes through the fake Spotify's page and back, and the profile says linked as "E2E on Spotify"
            (not listed with the scrobblers)
  spotifysync Sync now (busy while it runs) says what it brought in as the server counted it; the
            playlists show how much of each the library has (3 of 6), the one only followed is marked
            unreadable, the other links to its Canto playlist; its entries page greys the three the
            library lacks; Fix match on "Harbour - Live at the Pier" searches the library ("Harbour"),
            the choice is saved (method manual) and the Canto playlist then holds 4 tracks in order
  spotifyconnect the Spotify Connect panel lists the two devices, none active; Play is refused in
            Spotify's words; Transfer to E2E Phone plays there, Play on Spotify plays the Road trip
            (its first track shows), Pause pauses, the volume slider sets 30 %; at 390 px wide nothing
            in the section is wider than the screen
  spotifyexport a new playlist (Fjara, Evening) exported to Spotify: 1 added, Evening listed as not found
  plans     the admin defines a Family plan (3.00 EUR a month) and limits Free (no downloads, no share
            links) in the Plans section, whose table shows both; gives a new listener Family with the
            note "cash" and 3.00 received: the ledger shows the line and the month's total; that listener's
            profile shows "Your plan" (Family, what it grants), the other plans and the payment, also at
            390 px wide; back as the admin, Free gets its downloads and share links back
  planlimits the admin limits Free through the Plans form to 1 API key, 1 MB of uploads and the first
            library: the table shows them, and Edit fills them back in; a new listener on Free sees them in
            "Your plan" (the library by name) and by the API keys; their first key is made, a second is
            refused with the server's notice naming the plan that allows more (Family after the plans
            step), and so are an avatar and an M3U import of 1.1 MB (the uploads); Free is put back
  stripe    (the server runs the Stripe plugin against the Swift test's fake Stripe) the admin limits Free
            (128 kbit/s, no original files, no downloads) and adds Premium (4.99 EUR a month, everything);
            a new listener plays a track: the player bar shows the 128 kbit/s cap and says original
            quality comes with Premium, and the stream is a transcode (no ID3 tag, 128 kbit/s); the cap
            links to the profile, where "Upgrade with Stripe" on Premium goes to the fake's hosted
            checkout page; Pay brings the browser back: the profile says the payment arrived, shows
            Premium and Manage payment (which opens the fake's portal, and its Return comes back), at
            390 px too; a track then plays from the original file (its ID3 tag, its own 64 kbit/s) at a
            stream URL of another variant than Free's (so the browser's cache cannot replay a transcode);
            the admin's ledger shows the 4.99 payment through stripe; Free (and any plan cheaper than
            Premium that plays originals) are put back as they were
  smartplaylist New smart playlist: the editor makes year < 2020 and a nested "any" group (genre is Jazz, or
            the title contains "Lan", its all/any toggle tried), sorted by title; a year without a number
            shows the server's message; the live count settles on the API's preview (5), a number field
            offers only number comparisons; at 390 px nothing in the editor is wider than the screen; saved,
            its page (Smart badge, no rename/reorder/remove) lists the 5 tracks by title, the server holds the
            rules as made, Export .nsp gives them as JSON with the name; a second one (title is Harbour, loved
            is true) is empty until Harbour is starred on its album page, then lists it; Edit rules shows its
            two rules and saves a limit; Import .nsp of a small file (genre is Folk) makes a smart playlist of
            the 4 tracks its rules pick, badged in the list
  replaygain the album's tracks carry the ReplayGain tags the Swift test wrote (Lantern −6 dB, peak 0.5, album
            −8 dB; Harbour +3 dB, peak 0.95; Tide none); replayGain() of web/js/replaygain.js answers the
            expected gains in the browser; with ReplayGain on "track" in the preferences, the playing
            element's gain node holds 10^(−6/20) for Lantern and 1/0.95 for Harbour (its peak holds it below
            10^(3/20)), through a running AudioContext; "album" keeps Harbour on its track gain (it has no album
            gain; the preferences say so) and gives Lantern 10^(−8/20); a +2 dB pre-amp gives 10^(−4/20); off, 1
  gapless   with a 3 s crossfade set, Morning Light's four tracks (album neighbours: no fade) change without a
            gap: from 3 s before each end, the next track's audio clock starts within 50 ms of the end of the
            one before (sampled currentTime, extrapolated), and its `playing` event within 50 ms of the other's
            `ended` (both printed); then Aurora with Night Songs' Lantern played next crossfades: Lantern
            starts 3 s (±0.3) before Aurora ends; the crossfade goes back to 0
  remote    a second browser (the "Phone", 390 px wide, signed in as the same listener) beside the first
            (the "Living room"), each named by default from the browser ("Chrome on Linux") and renamed on
            its Devices page: the phone's Devices lists the living room live; its Play there makes the
            living room's audio clock move on, its Pause pauses it (the time from the click to the living
            room's `pause` event is printed); "Play here" plays the living room's track on the phone near
            the position it stopped at, and the living room stops; "Play on…" on an album page sends the album
            there (it plays its first track); a command for a session that is not the listener's is refused (404); at 390 px nothing on the phone's Devices page is wider than the
            screen; the phone closes and its session goes from the list; the living room ends paused
  phone     at 375×667 the menu button opens the navigation and the albums grid shows
  console   no Content-Security-Policy violation or uncaught error in the browser console

The last line of stdout is {"passed": [...], "failed": [...], "screenshots": [...]};
the exit status is 0 only when every step passed. --steps a,b (or WEB_E2E_STEPS=a,b) runs only
those steps after login, to try one quickly (the Swift test expects them all).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import sys
import tempfile
import time
import traceback
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

try:
    from selenium import webdriver
    from selenium.common.exceptions import StaleElementReferenceException, TimeoutException, WebDriverException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.remote.webelement import WebElement
    from selenium.webdriver.support.ui import Select, WebDriverWait
except ImportError as missing:
    sys.exit(f"web_e2e: {missing} in {sys.executable}; install selenium into .build/python-venv")

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WAIT = 15  # seconds for ordinary UI waits


class StepFailure(Exception):
    pass


def tid(name: str) -> str:
    return f'[data-testid="{name}"]'


class E2E:
    def __init__(self, args: argparse.Namespace) -> None:
        self.base = args.base.rstrip("/")
        self.args = args
        self.shots = Path(args.screenshots)
        self.shots.mkdir(parents=True, exist_ok=True)
        self.passed: list[str] = []
        self.failed: list[str] = []
        self.screenshots: list[str] = []
        self.console: list[dict[str, Any]] = []
        self.step_name = ""
        self.state: dict[str, Any] = {}

        self.driver = self.browser("1280,900")

    @staticmethod
    def browser(size: str) -> webdriver.Chrome:
        """A new headless Chromium (its own profile: its own cookies and storage) at size "W,H"."""
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                         "--autoplay-policy=no-user-gesture-required", f"--window-size={size}", "--lang=en-US"):
            options.add_argument(argument)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        driver.set_script_timeout(30)
        return driver

    @contextmanager
    def using(self, driver: webdriver.Chrome) -> Iterator[None]:
        """The helpers (click, js, fetch_json…) drive another browser for a while."""
        previous = self.driver
        self.driver = driver
        try:
            yield
        finally:
            self.driver = previous

    # MARK: - Running steps

    def step(self, name: str, action: Callable[[], None], requires: tuple[str, ...] = ()) -> None:
        chosen = [s for s in self.args.steps.split(",") if s]
        if chosen and name not in chosen and name != "login":
            return
        self.step_name = name
        missing = [r for r in requires if r not in self.passed]
        if missing:
            self.fail(name, f"skipped: needs {', '.join(missing)}", capture=False)
            return
        started = time.monotonic()
        try:
            action()
        except Exception as error:  # noqa: BLE001 - every failure is reported, then the run goes on
            detail = str(error).strip() or type(error).__name__
            if not isinstance(error, (StepFailure, TimeoutException)):
                detail += "\n" + traceback.format_exc()
            self.fail(name, detail)
            return
        self.passed.append(name)
        print(f"ok   {name} ({time.monotonic() - started:.1f} s)", flush=True)

    def fail(self, name: str, detail: str, capture: bool = True) -> None:
        self.failed.append(name)
        print(f"FAIL {name}: {detail}", flush=True)
        if not capture:
            return
        try:
            self.driver.save_screenshot(str(self.shots / f"failure-{name}.png"))
            self.screenshots.append(f"failure-{name}.png")
        except WebDriverException as error:
            print(f"     (no screenshot: {error.msg})", flush=True)
        lines = [f"{e.get('level')} {e.get('message')}" for e in self.drain_console()[-200:]]
        (self.shots / f"failure-{name}.log").write_text("\n".join(lines) + "\n", encoding="utf-8")
        for line in lines[-15:]:
            print(f"     console: {line}", flush=True)

    def drain_console(self) -> list[dict[str, Any]]:
        try:
            entries = self.driver.get_log("browser")
        except WebDriverException:
            entries = []
        self.console.extend(entries)
        return self.console

    # MARK: - Helpers

    def shot(self, name: str) -> None:
        self.wait_idle()
        file = f"{name}.png"
        self.driver.save_screenshot(str(self.shots / file))
        if file not in self.screenshots:
            self.screenshots.append(file)

    def until(self, condition: Callable[[Any], Any], message: str, timeout: float = WAIT) -> Any:
        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.1).until(condition)
        except TimeoutException:
            raise StepFailure(f"{self.step_name}: timed out after {timeout:.0f} s waiting for {message}") from None

    def find(self, selector: str, root: WebElement | None = None) -> WebElement | None:
        elements = (root or self.driver).find_elements(By.CSS_SELECTOR, selector)
        return elements[0] if elements else None

    def all(self, selector: str, root: WebElement | None = None) -> list[WebElement]:
        return (root or self.driver).find_elements(By.CSS_SELECTOR, selector)

    def visible(self, selector: str, message: str | None = None, timeout: float = WAIT) -> WebElement:
        def check(_: Any) -> WebElement | bool:
            for element in self.all(selector):
                if element.is_displayed():
                    return element
            return False
        return self.until(check, message or f"{selector} to be visible", timeout)

    def click(self, selector: str, message: str | None = None) -> WebElement:
        element = self.visible(selector, message)
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
        self.until(lambda _: element.is_enabled(), f"{selector} to be enabled")
        element.click()
        return element

    def js(self, script: str, *args: Any) -> Any:
        return self.driver.execute_script(script, *args)

    def fetch_json(self, path: str, method: str = "GET", body: Any = None) -> Any:
        """Calls an API path inside the page (with its session cookie; a write sends the page's Origin)."""
        result = self.driver.execute_async_script(
            """const [path, method, body, done] = arguments;
            const init = {method, credentials: 'same-origin', headers: {Accept: 'application/json'}};
            if (body !== null) {
              init.body = JSON.stringify(body);
              init.headers['Content-Type'] = 'application/json';
            }
            fetch(path, init)
              .then(async (r) => done({status: r.status, body: await r.text()}))
              .catch((e) => done({status: 0, body: String(e)}));""", path, method, body)
        if not 200 <= result["status"] < 300:
            raise StepFailure(f"{self.step_name}: {method} {path} answered {result['status']}: {result['body'][:200]}")
        return json.loads(result["body"]) if result["body"] else None

    def go(self, route: str) -> None:
        """Navigates inside the app (hash router, no reload) and waits for the view."""
        self.js("location.hash = arguments[0]", "#" + route)
        self.wait_view()

    def wait_view(self) -> None:
        self.until(lambda _: self.js(
            "const v = document.querySelector('#main .view'); return !!v && !v.hasAttribute('aria-busy') && !!v.querySelector('h1')"),
            "the page to finish loading")
        error = self.find(tid("view-error"))
        if error is not None:
            raise StepFailure(f"{self.step_name}: the page shows an error: {error.text}")

    def wait_idle(self) -> None:
        """Waits until visible images in the page have loaded (for screenshots)."""
        try:
            WebDriverWait(self.driver, 5, poll_frequency=0.1).until(lambda _: self.js(
                """return [...document.images].filter((i) => i.getBoundingClientRect().top < innerHeight
                   && i.offsetParent !== null && i.loading !== 'lazy').every((i) => i.complete)"""))
        except TimeoutException:
            pass

    def audio(self) -> dict[str, Any]:
        return self.js("""const a = document.getElementById('audio');
            return {time: a.currentTime, paused: a.paused, ended: a.ended, readyState: a.readyState,
                    error: a.error && a.error.message, src: a.getAttribute('src') || ''};""")

    def current_id(self) -> str:
        """The ID of the track in the player's <audio> element ("" when none)."""
        src = self.audio()["src"]
        return src.split("/api/v1/tracks/", 1)[1].split("/", 1)[0] if "/api/v1/tracks/" in src else ""

    def wait_analysed(self) -> None:
        """The analyser measures the library after each scan; recommendations answer from its features."""
        def analysed(_: Any) -> bool:
            state = self.fetch_json("/api/v1/admin/analysis")
            return state.get("analyzed", 0) > 0 and state.get("pending", 1) == 0
        self.until(analysed, "the sonic analysis of the library", timeout=120)

    def album_named(self, title: str) -> dict[str, Any]:
        albums = self.fetch_json("/api/v1/albums?sort=name&limit=60")["items"]
        album = next((a for a in albums if a["title"] == title), None)
        if album is None:
            raise StepFailure(f"{self.step_name}: no album {title!r} in the library")
        return album

    def album_track_ids(self, album: dict[str, Any]) -> list[str]:
        return [t["id"] for d in self.fetch_json(f"/api/v1/albums/{album['id']}")["discs"] for t in d["tracks"]]

    def queue_dom(self) -> list[str]:
        return [row.get_attribute("data-track-id") for row in self.all(tid("queue-row"))]

    def queue_server(self) -> dict[str, Any]:
        return self.fetch_json("/api/v1/me/queue")

    def wait_server_queue(self, expected: list[str], what: str) -> None:
        last: list[str] = []

        def check(_: Any) -> bool:
            nonlocal last
            last = [t["id"] for t in self.queue_server().get("tracks", [])]
            return last == expected
        try:
            WebDriverWait(self.driver, 8, poll_frequency=0.4).until(check)
        except TimeoutException:
            raise StepFailure(f"{self.step_name}: the server's queue after {what} is {last}, expected {expected}") from None

    def expect_queue_dom(self, expected: list[str], what: str) -> None:
        try:
            WebDriverWait(self.driver, WAIT, poll_frequency=0.1).until(lambda _: self.queue_dom() == expected)
        except TimeoutException:
            raise StepFailure(f"{self.step_name}: the queue page after {what} shows {self.queue_dom()}, expected {expected}") from None

    # MARK: - Steps

    def login(self) -> None:
        self.driver.get(self.base + "/")
        user = self.visible(tid("login-username"), "the login form")
        self.shot("login")
        user.send_keys(self.args.username)
        self.find(tid("login-password")).send_keys(self.args.password)
        self.find(tid("login-submit")).click()
        self.until(lambda _: self.js("return !document.getElementById('app').hidden"),
                   "the app to show after signing in (wrong credentials?)")
        self.wait_view()
        self.visible(tid("album-card"), "album cards on the start page")
        self.shot("albums")

    def scrobbler(self) -> None:
        token = self.args.listenbrainz_token
        if not token:
            raise StepFailure("scrobbler: no --listenbrainz-token given")
        state = tid("link-state-listenbrainz")

        def state_text(_: Any) -> str:
            # The section re-renders after each change: an element found a moment ago may be gone.
            try:
                element = self.find(state)
                return element.text if element is not None else ""
            except StaleElementReferenceException:
                return ""

        def plugin_listed(_: Any) -> bool:
            try:
                return any("ListenBrainz" in row.text and "what listeners play" in row.text
                           for row in self.all(tid("plugin-row")))
            except StaleElementReferenceException:
                return False

        self.go("/profile")
        field = self.visible(tid("link-token-listenbrainz"), "the ListenBrainz token field on the profile")
        field.send_keys("not-a-token")
        self.click(tid("link-connect-listenbrainz"))
        self.until(lambda _: "did not accept" in (lambda e: e.text if e is not None else "")(self.find("#status")),
                   "the refusal to be announced")
        if "Not connected" not in state_text(None):
            raise StepFailure(f"scrobbler: a wrong token connected: {state_text(None)!r}")
        field = self.visible(tid("link-token-listenbrainz"), "the ListenBrainz token field")
        field.clear()
        field.send_keys(token)
        self.click(tid("link-connect-listenbrainz"))
        self.until(lambda _: "Connected as" in state_text(None), "ListenBrainz to show as connected")
        self.shot("connected-accounts")
        box = self.visible(tid("setting-listenbrainz-now_playing"), "ListenBrainz's setting on the profile")
        if not box.is_selected():
            raise StepFailure("scrobbler: 'Show what I am playing' should be on until the listener turns it off")
        self.go("/admin")
        self.until(plugin_listed, "the ListenBrainz plugin and its permissions on the admin page")

        # An admin turns Last.fm on from the admin page, with its key and secret.
        def lastfm_running(_: Any) -> bool:
            try:
                return any("lastfm" in row.text and "running" in row.text for row in self.all(tid("plugin-row")))
            except StaleElementReferenceException:
                return False

        self.click(tid("plugin-config-lastfm") + " summary", "the Configure Last.fm disclosure")
        box = self.visible(tid("plugin-enabled-lastfm"), "Last.fm's Enabled box")
        if not box.is_selected():
            box.click()
        self.visible(tid("plugin-lastfm-api_key"), "Last.fm's api_key field").send_keys("e2e-api-key")
        self.visible(tid("plugin-lastfm-shared_secret"), "Last.fm's shared_secret field").send_keys("e2e-secret")
        self.click(tid("plugin-save-lastfm"))
        self.until(lastfm_running, "Last.fm to run after the admin saved its settings")
        self.shot("admin-plugins")

    def search(self) -> None:
        query, title = self.args.query, self.args.expect_title
        box = self.visible(tid("search-input"), "the search box")
        box.clear()
        box.send_keys(query)

        def track_option(_: Any) -> WebElement | bool:
            for option in self.all(f'{tid("search-results")} [role="option"][data-kind="track"]'):
                if title in option.text:
                    return option
            return False
        self.until(track_option, f'the track "{title}" among the results for "{query}"')
        if box.get_attribute("aria-expanded") != "true":
            raise StepFailure("search: the combobox does not say aria-expanded=true while results show")
        self.shot("search")

        # Walk the listbox with the keyboard to the track, then Enter plays it.
        options = self.all(f'{tid("search-results")} [role="option"]')
        for _ in range(len(options) + 1):
            box.send_keys(Keys.ARROW_DOWN)
            active_id = box.get_attribute("aria-activedescendant")
            if not active_id:
                raise StepFailure("search: ArrowDown set no aria-activedescendant")
            active = self.driver.find_element(By.ID, active_id)
            if active.get_attribute("aria-selected") != "true":
                raise StepFailure("search: the active option is not aria-selected")
            if active.get_attribute("data-kind") == "track" and title in active.text:
                break
        else:
            raise StepFailure(f'search: ArrowDown never reached "{title}"')
        box.send_keys(Keys.ENTER)
        self.until(lambda _: box.get_attribute("aria-expanded") == "false", "Enter to close the results")
        self.until(lambda _: self.find(tid("player-title")).text == title, f'the player to show "{title}" after Enter')

        # Escape closes the list.
        box.send_keys(Keys.BACKSPACE)
        self.until(lambda _: box.get_attribute("aria-expanded") == "true", "the results to reopen while typing")
        box.send_keys(Keys.ESCAPE)
        self.until(lambda _: box.get_attribute("aria-expanded") == "false", "Escape to close the results")

        # The full results page.
        self.go("/search?q=" + query)
        self.until(lambda _: any(title == e.text for e in self.all(tid("track-title"))), f'"{title}" on the search page')
        self.shot("search-page")

    def play(self) -> None:
        title = self.args.expect_title
        state = self.audio()
        if self.find(tid("player-title")).text != title or state["paused"]:
            # Play it from the search page (if the search step could not).
            self.go("/search?q=" + self.args.query)
            rows = self.until(lambda _: [r for r in self.all(tid("track-row"))
                                         if self.find(tid("track-title"), r).text == title], f'a row for "{title}"')
            rows[0].find_element(By.CSS_SELECTOR, tid("play-button")).click()
        try:
            WebDriverWait(self.driver, 20, poll_frequency=0.2).until(
                lambda _: (lambda a: a["time"] > 1.0 and not a["paused"])(self.audio()))
        except TimeoutException:
            raise StepFailure(f"play: the audio element did not play past 1 s: {self.audio()}") from None
        state = self.audio()
        if "/api/v1/tracks/" not in state["src"]:
            raise StepFailure(f"play: unexpected audio src {state['src']}")
        if self.find(tid("player-play")).get_attribute("aria-label") != "Pause":
            raise StepFailure("play: the play button does not offer Pause while playing")
        self.shot("playing")

        # Seek (with the player's slider) to a second before the end: the finished play is recorded.
        before = self.fetch_json("/api/v1/me/history?limit=1").get("total", 0)
        self.js("""const slider = document.getElementById('player-seek');
            slider.value = String(Math.max(0, Number(slider.max) - 1));
            slider.dispatchEvent(new Event('input', {bubbles: true}));
            slider.dispatchEvent(new Event('change', {bubbles: true}));""")
        try:
            WebDriverWait(self.driver, 20, poll_frequency=0.5).until(
                lambda _: self.fetch_json("/api/v1/me/history?limit=1").get("total", 0) > before)
        except TimeoutException:
            raise StepFailure(f"play: the finished play never reached the listening history (history total {before}, "
                              f"audio {self.audio()})") from None
        # The current track's album page (through the player bar's link).
        self.click(tid("player-title"))
        self.wait_view()
        self.visible(tid("track-row"), "track rows on the album page")
        self.shot("album")

    def queue(self) -> None:
        # An album with at least 3 tracks: add three rows to the end of the queue.
        albums = self.fetch_json("/api/v1/albums?sort=name&limit=60")["items"]
        album = next((a for a in albums if a["trackCount"] >= 3), None)
        if album is None:
            raise StepFailure("queue: no album with 3 tracks in the library")
        before = [t["id"] for t in self.queue_server().get("tracks", [])]
        self.go(f"/album/{album['id']}")
        rows = self.until(lambda _: (lambda r: r if len(r) >= 3 else False)(self.all(tid("track-row"))), "3 track rows")
        added = []
        for row in rows[:3]:
            added.append(row.get_attribute("data-track-id"))
            button = row.find_element(By.CSS_SELECTOR, tid("queue-add"))
            self.js("arguments[0].scrollIntoView({block: 'center'})", button)
            button.click()
        expected = before + added
        self.wait_server_queue(expected, "adding 3 tracks")

        self.click(tid("nav-queue"))
        self.wait_view()
        self.expect_queue_dom(expected, "adding 3 tracks")
        n = len(expected)

        # 1. The "move up" button on the last row.
        last = self.all(tid("queue-row"))[n - 1]
        self.js("arguments[0].scrollIntoView({block: 'center'})", last)
        last.find_element(By.CSS_SELECTOR, tid("queue-move-up")).click()
        expected[n - 2], expected[n - 1] = expected[n - 1], expected[n - 2]
        self.expect_queue_dom(expected, "the move-up button")

        # 2. Keyboard: focus the third row from the end, Alt+ArrowDown.
        row = self.all(tid("queue-row"))[n - 3]
        self.js("arguments[0].focus()", row)
        ActionChains(self.driver).key_down(Keys.ALT).send_keys(Keys.ARROW_DOWN).key_up(Keys.ALT).perform()
        expected[n - 3], expected[n - 2] = expected[n - 2], expected[n - 3]
        self.expect_queue_dom(expected, "Alt+ArrowDown")
        focused = self.js("return document.activeElement && document.activeElement.dataset.index")
        if focused != str(n - 2):
            raise StepFailure(f"queue: focus did not follow the moved row (focused index {focused}, expected {n - 2})")

        # 3. Drag and drop (HTML5 events dispatched from JS): the last row onto the top half of row n-3.
        rows = self.all(tid("queue-row"))
        self.js("""const [source, target] = arguments;
            const data = new DataTransfer();
            const box = target.getBoundingClientRect();
            const at = (y) => ({bubbles: true, cancelable: true, dataTransfer: data, clientX: box.left + 20, clientY: y});
            source.dispatchEvent(new DragEvent('dragstart', at(source.getBoundingClientRect().top + 5)));
            target.dispatchEvent(new DragEvent('dragenter', at(box.top + 3)));
            target.dispatchEvent(new DragEvent('dragover', at(box.top + 3)));
            target.dispatchEvent(new DragEvent('drop', at(box.top + 3)));
            source.dispatchEvent(new DragEvent('dragend', at(box.top + 3)));""", rows[n - 1], rows[n - 3])
        expected.insert(n - 3, expected.pop(n - 1))
        self.expect_queue_dom(expected, "drag and drop")
        self.wait_server_queue(expected, "reordering")
        self.state["queue"] = expected
        self.shot("queue")

    def playlist(self) -> None:
        name = f"E2E playlist {int(time.time())}"
        self.click(tid("nav-playlists"))
        self.wait_view()
        self.click(tid("playlist-new"))
        field = self.visible(tid("playlist-name"), "the playlist name field")
        field.send_keys(name)
        self.click(tid("playlist-create"))
        self.until(lambda _: (lambda e: e is not None and e.text == name)(self.find(tid("playlist-title"))),
                   "the new playlist's page")
        playlist_id = self.js("return location.hash.split('/')[2]")

        # Add a track from the album page through its "⋯" menu.
        albums = self.fetch_json("/api/v1/albums?sort=name&limit=1")["items"]
        self.go(f"/album/{albums[0]['id']}")
        row = self.visible(tid("track-row"), "a track row")
        track_id = row.get_attribute("data-track-id")
        row.find_element(By.CSS_SELECTOR, tid("track-menu")).click()
        self.click(tid("menu-playlist-add"), "the menu's Add to playlist item")
        self.visible(tid("playlist-dialog"), "the add-to-playlist dialog")
        self.click(f'{tid("playlist-choice")}[data-playlist-id="{playlist_id}"]', "the new playlist in the dialog")
        self.until(lambda _: self.find(tid("playlist-dialog")) is None, "the dialog to close after adding")

        self.click(tid("nav-playlists"))
        self.wait_view()
        self.until(lambda _: any(e.text == name for e in self.all(tid("playlist-link"))), "the playlist in the list")
        self.shot("playlists")
        link = next(e for e in self.all(tid("playlist-link")) if e.text == name)
        link.click()
        self.until(lambda _: (lambda e: e is not None and e.text == name)(self.find(tid("playlist-title"))), "the playlist page")
        self.wait_view()
        self.visible(f'{tid("track-row")}[data-track-id="{track_id}"]', "the added track on the playlist page")
        self.shot("playlist")

    def reload(self) -> None:
        saved = self.queue_server()
        order = [t["id"] for t in saved.get("tracks", [])]
        if not order:
            raise StepFailure("reload: the server has no saved queue to restore")
        index = saved.get("currentIndex") or 0
        title = saved["tracks"][index]["title"]
        if self.state.get("queue") and order != self.state["queue"]:
            raise StepFailure(f"reload: the saved queue {order} is not the reordered {self.state['queue']}")
        self.driver.get(self.base + "/#/queue")
        self.driver.refresh()
        self.until(lambda _: self.js("return !document.getElementById('app').hidden"), "the app after reloading")
        self.wait_view()
        self.expect_queue_dom(order, "reloading")
        self.until(lambda _: self.find(tid("player-title")).text == title, f'the player to show "{title}" after reloading')
        current = self.find(f'{tid("queue-row")}[aria-current="true"]')
        if current is None or current.get_attribute("data-index") != str(index):
            raise StepFailure(f"reload: the queue page does not mark entry {index} as current")
        state = self.audio()
        if not state["paused"]:
            raise StepFailure("reload: playback started by itself after reloading")
        if saved["tracks"][index]["id"] not in state["src"]:
            raise StepFailure(f"reload: the audio element holds {state['src']}, not the current track")

    def scan(self) -> None:
        self.click(tid("nav-admin"), "the Admin link")
        self.wait_view()
        self.visible(tid("scan-start"), "the Start scan button")
        self.until(lambda _: self.find(tid("scan-start")).is_enabled(), "no scan to be running")
        self.click(tid("scan-start"))
        summary = self.until(lambda _: (lambda e: e if e is not None and e.text.startswith(("Scan finished", "Scan cancelled")) else False)(
            self.find(tid("scan-summary"))), "the finished scan's summary", timeout=60)
        if not summary.text.startswith("Scan finished"):
            raise StepFailure(f"scan: {summary.text}")
        progress = self.find(tid("scan-progress"))
        print(f"     {summary.text} (progress value {progress.get_attribute('value')}/{progress.get_attribute('max')}, "
              f"running state seen: {progress.get_attribute('data-seen') == 'true'})", flush=True)
        self.shot("admin")

    def browse(self) -> None:
        albums = self.fetch_json("/api/v1/albums?sort=name&limit=1")["items"]
        self.go(f"/artist/{albums[0]['artistId']}")
        self.visible(tid("album-card"), "albums on the artist page")
        self.shot("artist")
        for route, selector in (("/genres", tid("genre-link")), ("/folders", tid("folder-link")), ("/starred", "h1"),
                                ("/artists", tid("artist-row"))):
            self.go(route)
            self.visible(selector, f"{selector} on {route}")
        self.go("/preferences")
        self.visible(tid("pref-format"), "the streaming format select")
        self.click(tid("pref-theme-dark"))
        self.until(lambda _: self.js("return document.documentElement.dataset.theme") == "dark", "the dark theme to apply")
        self.shot("preferences")
        self.click(tid("pref-theme-auto"))
        self.go("/profile")
        self.visible(tid("sessions-table"), "the sessions table")
        self.shot("profile")
        self.go("/history")
        self.visible(tid("history-row"), "a play on the history page")
        self.shot("history")

    # MARK: - Remote control: two browsers of one listener

    def session_id(self) -> str:
        """This browser's playback session (once its event stream has said it)."""
        return self.until(lambda _: self.js("return window.cantoSession && window.cantoSession.connected() && window.cantoSession.id()"),
                          "the player's playback session (GET /api/v1/sessions/events)")

    def session_row(self, session: str, part: str = "") -> str:
        return f'{tid("session-row")}[data-session-id="{session}"]' + (f" {tid(part)}" if part else "")

    def rename_device(self, name: str) -> str:
        """Renames this browser on its Devices page; answers its session ID."""
        me = self.session_id()
        self.until(lambda _: self.find(self.session_row(me, "session-this")) is not None, "this device marked in the list")
        box = self.visible(tid("session-rename-input"), "the device's name field")
        box.click()
        box.send_keys(Keys.CONTROL, "a")
        box.send_keys(name)
        self.click(tid("session-rename-save"))
        self.until(lambda _: self.text_of(self.session_row(me, "session-name")) == name, f"this device listed as {name}")
        return me

    def session_state(self, session: str) -> str | None:
        listed = self.fetch_json("/api/v1/sessions")["items"]
        return next((s["state"] for s in listed if s["id"] == session), None)

    def session_queue(self, session: str) -> int:
        listed = self.fetch_json("/api/v1/sessions")["items"]
        return next((len(s.get("queue") or []) for s in listed if s["id"] == session), 0)

    def remote(self) -> None:
        self.back_as_admin()
        self.driver.set_window_size(1280, 900)
        # The living room has Morning Light's first track loaded, paused: the phone starts it.
        track, title = self.play_from_album("Morning Light", 0)
        self.pause_player()
        self.go("/devices")
        self.visible(tid("sessions-view"), "the Devices page")
        living = self.session_id()
        # The list is drawn from an answer that comes after the page: wait for this browser's row.
        default = self.until(lambda _: self.text_of(self.session_row(living, "session-name")),
                             "the living room's row in the Devices list")
        if default != "Chrome on Linux":
            raise StepFailure(f"remote: the living room's browser is named {default!r} by default, not 'Chrome on Linux'")
        self.rename_device("Living room")
        self.until(lambda _: self.attr(self.session_row(living), "data-state") == "paused", "the living room listed as paused")
        room = self.driver
        phone = self.browser("390,844")
        try:
            with self.using(phone):
                self.driver.set_window_size(390, 844)
                self.driver.get(self.base + "/#/devices")
                self.visible(tid("login-username"), "the login form on the phone").send_keys(self.args.username)
                self.find(tid("login-password")).send_keys(self.args.password)
                self.find(tid("login-submit")).click()
                self.until(lambda _: self.js("return !document.getElementById('app').hidden"), "the app on the phone")
                self.wait_view()
                self.visible(tid("sessions-view"), "the Devices page on the phone")
                mine = self.rename_device("Phone")
                if mine == living:
                    raise StepFailure("remote: both browsers hold the same playback session")
                self.until(lambda _: self.text_of(self.session_row(living, "session-name")) == "Living room",
                           "the living room in the phone's list, by its new name")
                self.until(lambda _: title in self.text_of(self.session_row(living, "session-track")),
                           f"the phone to show {title} on the living room")
                if self.find(self.session_row(living, "session-this")) is not None:
                    raise StepFailure("remote: the phone marks the living room as this device")
                width, overflow = self.js("return [window.innerWidth, document.documentElement.scrollWidth - window.innerWidth]")
                if width > 400 or overflow > 0:
                    raise StepFailure(f"remote: the phone's Devices page ({width}px wide) is {overflow}px wider than the screen")
                self.click(self.session_row(living, "session-toggle"), "Play on the living room")
            # The audio clock moves on the target.
            start = self.audio()["time"]
            try:
                WebDriverWait(room, 15, poll_frequency=0.1).until(
                    lambda _: (lambda a: not a["paused"] and a["time"] > start + 1.0)(self.audio()))
            except TimeoutException:
                raise StepFailure(f"remote: the living room did not play after the phone's Play: {self.audio()}") from None
            if self.current_id() != track:
                raise StepFailure(f"remote: the living room plays {self.current_id()}, not {track}")
            self.js("""window.e2ePausedAt = null;
                document.addEventListener('pause', (e) => { if (e.target.id === 'audio' && !window.e2ePausedAt) window.e2ePausedAt = Date.now(); },
                                          true);""")
            with self.using(phone):
                toggle = self.session_row(living, "session-toggle")
                self.until(lambda _: self.attr(toggle, "aria-label") == "Pause on Living room", "the phone to show the living room playing")
                self.shot("remote-phone")
                self.scroll_to(toggle)
                clicked = self.js("const t = Date.now(); document.querySelector(arguments[0]).click(); return t;", toggle)
            paused_at = self.until(lambda _: self.js("return window.e2ePausedAt"), "the living room to pause after the phone's Pause")
            latency = paused_at - clicked
            print(f"     pause latency (phone click → living room's audio paused): {latency} ms", flush=True)
            if latency > 3000:
                raise StepFailure(f"remote: the living room paused {latency} ms after the phone's Pause")
            stopped_at = self.audio()["time"]
            with self.using(phone):
                self.until(lambda _: self.attr(self.session_row(living, "session-state"), "data-state") == "paused",
                           "the phone to show the living room paused")
                self.click(self.session_row(living, "session-play-here"), "Play here")
                here: dict[str, Any] = {}

                def playing_here(_: Any) -> bool:
                    nonlocal here
                    here = self.audio()
                    return self.current_id() == track and not here["paused"] and here["time"] > 0
                try:
                    WebDriverWait(phone, 15, poll_frequency=0.05).until(playing_here)
                except TimeoutException:
                    raise StepFailure(f"remote: the phone did not play {track} after Play here: {self.audio()}") from None
                if not stopped_at - 1.0 <= here["time"] <= stopped_at + 3.0:
                    raise StepFailure(f"remote: the phone started at {here['time']:.2f} s, the living room stopped at {stopped_at:.2f} s")
                print(f"     play here: the living room stopped at {stopped_at:.2f} s, the phone started at {here['time']:.2f} s",
                      flush=True)
                self.until(lambda _: self.attr(self.session_row(living, "session-state"), "data-state") == "stopped",
                           "the phone to show the living room stopped")
                self.until(lambda _: self.attr(self.session_row(mine, "session-state"), "data-state") == "playing",
                           "the phone to show itself playing")
                # Commands reach only the listener's own sessions.
                refused = self.driver.execute_async_script(
                    """const done = arguments[arguments.length - 1];
                    fetch('/api/v1/sessions/not-a-session-of-yours/commands', {method: 'POST', credentials: 'same-origin',
                      headers: {'Content-Type': 'application/json', Accept: 'application/json'}, body: JSON.stringify({action: 'pause'})})
                      .then((r) => done(r.status)).catch((e) => done(String(e)));""")
                if refused != 404:
                    raise StepFailure(f"remote: a command for someone else's session answered {refused}, not 404")
                self.shot("remote-played-here")
                self.js("document.getElementById('audio').pause()")
            self.until(lambda _: self.audio()["paused"], "the living room to stop")
            self.until(lambda _: self.session_state(living) == "stopped", "the living room's session to say stopped")
            # "Play on…" from an album page sends the album to the living room, which plays its first track.
            with self.using(phone):
                album = self.album_named("Night Songs")
                first = self.album_track_ids(album)[0]
                self.go(f"/album/{album['id']}")
                self.click(tid("album-play-on"), "Play on… on the album page")
                choice = self.visible(tid("play-on-device"), "the living room in the Play on… menu")
                if choice.text.strip() != "Living room":
                    raise StepFailure(f"remote: Play on… offers {choice.text!r}, not 'Living room'")
                choice.click()
            try:
                WebDriverWait(room, 15, poll_frequency=0.1).until(
                    lambda _: self.current_id() == first and (lambda a: not a["paused"] and a["time"] > 0.5)(self.audio()))
            except TimeoutException:
                raise StepFailure(f"remote: the living room did not play Night Songs sent from the phone: {self.audio()}") from None
            # "Add to queue on…" puts Morning Light after it; the admin sees both browsers under "Every player".
            queued = self.session_queue(living)
            with self.using(phone):
                self.go(f"/album/{self.album_named('Morning Light')['id']}")
                self.click(tid("album-queue-on"), "Add to queue on… on the album page")
                self.visible(tid("queue-on-device"), "the living room in the Add to queue on… menu").click()
            self.until(lambda _: self.session_queue(living) > queued, "the living room's queue to grow after Add to queue on…")
            with self.using(phone):
                self.go("/devices")
                self.visible(tid("household-sessions"), "the household section on the phone")
                self.until(lambda _: {living, mine} <= set(self.js(
                    "return [...document.querySelectorAll('[data-testid=all-session]')].map((e) => e.dataset.sessionId)")),
                           "both browsers under Every player")
        finally:
            phone.quit()
        # The phone's session goes once its browser is closed; the living room ends paused, away from Devices.
        self.until(lambda _: mine not in [s["id"] for s in self.fetch_json("/api/v1/sessions")["items"]],
                   "the phone's session to go after its browser closed", timeout=20)
        self.go("/albums")
        self.pause_player()

    def phone(self) -> None:
        self.driver.set_window_size(375, 667)
        self.go("/playlists")
        menu = self.visible(tid("menu-button"), "the menu button at phone size")
        # The window's resize reaches the layout a moment later: wait for the navigation to fold.
        self.until(lambda _: not self.find(tid("nav-albums")).is_displayed(),
                   "the navigation to hide before the menu is opened")
        menu.click()
        if menu.get_attribute("aria-expanded") != "true":
            raise StepFailure("phone: the menu button does not say aria-expanded=true")
        self.click(tid("nav-albums"))
        self.wait_view()
        self.visible(tid("album-card"), "album cards at phone size")
        self.until(lambda _: not self.find(tid("nav-albums")).is_displayed(), "the navigation to close after choosing")
        overflow = self.js("return document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            raise StepFailure(f"phone: the page is {overflow}px wider than the screen")
        self.shot("phone-albums")

    def radio(self) -> None:
        self.wait_analysed()
        self.go("/admin")

        def progress_shown(_: Any) -> bool:
            element = self.find(tid("analysis-summary"))
            return element is not None and "tracks analysed" in element.text and " 0 waiting" in element.text
        self.until(progress_shown, "the admin page's sonic analysis progress")
        albums = self.fetch_json("/api/v1/albums?sort=name&limit=60")["items"]
        album = next(a for a in albums if a["title"] == "Morning Light")
        self.go(f"/album/{album['id']}")
        row = self.visible(tid("track-row"), "a track row")
        seed = row.get_attribute("data-track-id")
        row.find_element(By.CSS_SELECTOR, tid("track-menu")).click()
        self.click(tid("menu-radio"), "the menu's Start radio item")

        def started(_: Any) -> list[str] | bool:
            ids = [t["id"] for t in self.queue_server().get("tracks", [])]
            return ids if len(ids) >= 3 and ids[0] == seed else False
        first = self.until(started, "the radio's queue (the seed, then what sounds like it)")
        self.click(tid("nav-queue"))
        self.wait_view()
        reasons = self.until(lambda _: (lambda r: r if len(r) >= 2 else False)(self.all(tid("queue-reason"))),
                             "the reasons beside the radio's picks")
        # The picks sound like the seed; the blend may put one of the listener's favourites among
        # them (how it weighs their taste depends on what earlier steps played and starred).
        texts = [r.text for r in reasons]
        known = ("Sounds like", "One of your favourites", "Played together", "Played with")
        if not any(t.startswith("Sounds like") for t in texts) or not all(t.startswith(known) for t in texts):
            raise StepFailure(f"radio: unexpected reasons {texts}")
        # Playing the last track leaves none after it: the radio fetches more on its own.
        last = self.all(tid("queue-row"))[-1]
        self.js("arguments[0].scrollIntoView({block: 'center'})", last)
        last.find_element(By.CSS_SELECTOR, tid("queue-play")).click()

        def refilled(_: Any) -> list[str] | bool:
            ids = [t["id"] for t in self.queue_server().get("tracks", [])]
            return ids if len(ids) > len(first) and ids[:len(first)] == first else False
        grown = self.until(refilled, "the radio to refill the queue")
        if len(set(grown)) != len(grown):
            raise StepFailure(f"radio: the refill repeated tracks {grown}")
        self.shot("radio")
        # An album's radio: what goes with the album, none of the album's own tracks.
        night = next(a for a in albums if a["title"] == "Night Songs")
        own = {t["id"] for d in self.fetch_json(f"/api/v1/albums/{night['id']}")["discs"] for t in d["tracks"]}
        self.go(f"/album/{night['id']}")
        self.click(tid("album-radio"), "the album page's Radio button")

        def album_radio(_: Any) -> list[str] | bool:
            ids = [t["id"] for t in self.queue_server().get("tracks", [])]
            return ids if ids and ids != grown and not own.intersection(ids) else False
        self.until(album_radio, "the album radio's queue (other albums' tracks)")

    def thumbs(self, track_id: str) -> dict[str, str]:
        """Waits until the player bar's thumbs show the server's state for track_id; returns it."""
        def ready(_: Any) -> dict[str, str] | bool:
            if self.current_id() != track_id or self.find("#player-thumbs[aria-busy]") is not None:
                return False
            up, down = self.find(tid("thumb-up")), self.find(tid("thumb-down"))
            if not (up.is_enabled() and down.is_enabled()):
                return False
            return {"up": up.get_attribute("aria-pressed"), "down": down.get_attribute("aria-pressed")}
        return self.until(ready, f"the thumbs of the playing track {track_id}")

    def feedback(self, track_id: str) -> str:
        return self.fetch_json(f"/api/v1/tracks/{track_id}/feedback")["value"]

    def foryou(self) -> None:
        # Mixes come from what the listener plays: whole plays (so they count) of two albums.
        for title in ("Ljós", "Night Songs"):
            for track_id in self.album_track_ids(self.album_named(title)):
                self.fetch_json("/api/v1/me/history", "POST", {"trackId": track_id, "secondsPlayed": 30, "client": "e2e"})
        self.click(tid("nav-for-you"), "the For you link")
        self.wait_view()
        self.visible(tid("mixes"), "the list of mixes")
        # The button is disabled from the click until the new mixes show.
        self.click(tid("mixes-refresh"), "the Make again button")
        self.until(lambda _: self.find(tid("mixes-refresh")).is_enabled(), "the mixes to be made again")
        items = self.all(tid("mix-item"))
        if not items:
            raise StepFailure(f"foryou: no mix after Make again: {self.find(tid('mixes')).text!r}")
        shown = [item.get_attribute("data-playlist-id") for item in items]
        listed = [mix["id"] for mix in self.fetch_json("/api/v1/mixes")["items"]]
        if shown != listed:
            raise StepFailure(f"foryou: the page shows the mixes {shown}, the server has {listed}")
        if "Daily Mix" not in items[0].text:
            raise StepFailure(f"foryou: the first mix is {items[0].text!r}, not a daily mix")
        mix = self.fetch_json(f"/api/v1/playlists/{shown[0]}")
        tracks = [t["id"] for t in mix["tracks"]]
        if len(tracks) < 2:
            raise StepFailure(f"foryou: the mix holds {tracks}")
        self.shot("for-you")

        # Its Play button plays it from the top; its page lists its tracks, the playing one marked.
        items[0].find_element(By.CSS_SELECTOR, tid("mix-play")).click()
        self.until(lambda _: self.current_id() == tracks[0] and not self.audio()["paused"],
                   "the player to play the mix's first track")
        self.click(f'{tid("mix-item")}[data-playlist-id="{shown[0]}"] {tid("mix-link")}', "the mix's link")
        self.wait_view()
        self.until(lambda _: (lambda e: e is not None and e.text == mix["playlist"]["name"])(self.find(tid("playlist-title"))),
                   "the mix's playlist page")
        rows = [row.get_attribute("data-track-id") for row in self.all(tid("track-row"))]
        if rows != tracks:
            raise StepFailure(f"foryou: the mix's page lists {rows}, the mix holds {tracks}")
        self.visible(f'{tid("track-row")}.playing[data-track-id="{tracks[0]}"]', "the playing track marked on the mix's page")

        # Thumbs down: the track is never recommended again, and the player moves on.
        disliked = tracks[0]
        if self.thumbs(disliked) != {"up": "false", "down": "false"}:
            raise StepFailure(f"foryou: the thumbs of a track without feedback show {self.thumbs(disliked)}")
        self.click(tid("thumb-down"))
        self.until(lambda _: self.current_id() not in ("", disliked) and not self.audio()["paused"],
                   "the player to move on after thumbs down")
        self.until(lambda _: self.feedback(disliked) == "down", "the server to keep the thumbs down")
        if self.thumbs(self.current_id()) != {"up": "false", "down": "false"}:
            raise StepFailure("foryou: the next track shows the thumbs of the one before")
        # Played again, it shows the thumbs down pressed (read from the server); pressing it clears it.
        self.go("/queue")
        self.click(f'{tid("queue-row")}[data-track-id="{disliked}"] {tid("queue-play")}', "the disliked track in the queue")
        state = self.thumbs(disliked)
        if state != {"up": "false", "down": "true"}:
            raise StepFailure(f"foryou: the disliked track's thumbs show {state}")
        self.shot("thumbs")
        self.click(tid("thumb-down"))
        self.until(lambda _: self.find(tid("thumb-down")).get_attribute("aria-pressed") == "false", "thumbs down to clear")
        self.until(lambda _: self.feedback(disliked) == "none", "the server to clear the thumbs down")
        if self.current_id() != disliked:
            raise StepFailure("foryou: clearing a thumbs down skipped the track")
        self.click(tid("thumb-up"))
        self.until(lambda _: self.find(tid("thumb-up")).get_attribute("aria-pressed") == "true", "thumbs up to press")
        self.until(lambda _: self.feedback(disliked) == "up", "the server to keep the thumbs up")

    def instantmix(self) -> None:
        self.wait_analysed()
        before = [t["id"] for t in self.queue_server().get("tracks", [])]
        self.go(f"/album/{self.album_named('Morning Light')['id']}")
        row = self.visible(tid("track-row"), "a track row")
        seed = row.get_attribute("data-track-id")
        row.find_element(By.CSS_SELECTOR, tid("track-menu")).click()
        self.click(tid("menu-instant-mix"), "the menu's Instant mix item")

        def made(_: Any) -> list[str] | bool:
            ids = [t["id"] for t in self.queue_server().get("tracks", [])]
            return ids if len(ids) >= 2 and ids[0] == seed and ids != before else False
        mix = self.until(made, "the instant mix in the queue (the seed, then what goes with it)")
        if len(set(mix)) != len(mix):
            raise StepFailure(f"instantmix: the mix repeats tracks {mix}")
        self.click(tid("nav-queue"))
        self.wait_view()
        self.expect_queue_dom(mix, "the instant mix")
        if "Radio" in self.find(tid("queue-summary")).text:
            raise StepFailure(f"instantmix: the queue says it is a radio: {self.find(tid('queue-summary')).text}")
        # Its last track plays to the end, and the player stops there: nothing is added.
        last = self.all(tid("queue-row"))[-1]
        self.js("arguments[0].scrollIntoView({block: 'center'})", last)
        last.find_element(By.CSS_SELECTOR, tid("queue-play")).click()
        self.until(lambda _: self.current_id() == mix[-1] and self.audio()["readyState"] >= 1
                   and int(self.find(tid("player-seek")).get_attribute("max") or 0) > 2, "the last track to load")
        self.shot("instant-mix")
        self.js("""const slider = document.getElementById('player-seek');
            slider.value = String(Math.max(0, Number(slider.max) - 1));
            slider.dispatchEvent(new Event('input', {bubbles: true}));
            slider.dispatchEvent(new Event('change', {bubbles: true}));""")
        self.until(lambda _: self.audio()["ended"] and self.current_id() == mix[-1]
                   and self.find(tid("player-play")).get_attribute("aria-label") == "Play",
                   "the player to stop at the end of the mix", timeout=20)
        self.expect_queue_dom(mix, "the mix's last track ended")
        self.wait_server_queue(mix, "the mix's last track ended")

    def genreradio(self) -> None:
        self.wait_analysed()
        before = [t["id"] for t in self.queue_server().get("tracks", [])]
        self.go("/genres")
        self.visible(tid("genre-radio"), "the genres' Radio buttons")
        self.shot("genres")
        self.click(f'[data-genre="Jazz"] {tid("genre-radio")}', "the Jazz genre's Radio button")

        def started(_: Any) -> list[str] | bool:
            ids = [t["id"] for t in self.queue_server().get("tracks", [])]
            return ids if ids and ids != before else False
        self.until(started, "the genre radio's queue")
        self.click(tid("nav-queue"))
        self.wait_view()
        self.until(lambda _: "Radio Jazz" in self.find(tid("queue-summary")).text, "the queue to say it is the Jazz radio")
        # The albums of a genre have the button too.
        self.go("/albums?genre=Ambient")
        self.visible(tid("genre-radio"), "the Radio button on the Ambient albums page")

    def sonicpath(self) -> None:
        self.wait_analysed()
        self.go("/for-you")
        self.click(tid("sonic-path-link"), "the link to the sonic path")
        self.wait_view()

        def choose(field: str, query: str, title: str, keyboard: bool) -> str:
            box = self.visible(tid(field), f"the {field} field")
            box.send_keys(query)
            options = f'{tid(field + "-matches")} {tid("path-option")}'

            def option(_: Any) -> WebElement | bool:
                for element in self.all(options):
                    if element.find_element(By.CSS_SELECTOR, "span").text == title:
                        return element
                return False
            wanted = self.until(option, f'"{title}" among the matches for "{query}"')
            if keyboard:
                # ↓ from the field reaches the matches; ↓ again until the wanted one, Enter takes it.
                box.send_keys(Keys.ARROW_DOWN)
                for _ in range(len(self.all(options))):
                    active = self.driver.switch_to.active_element
                    if active.get_attribute("data-track-id") == wanted.get_attribute("data-track-id"):
                        break
                    active.send_keys(Keys.ARROW_DOWN)
                self.driver.switch_to.active_element.send_keys(Keys.ENTER)
            else:
                wanted.click()
            chosen = tid(field + "-chosen")
            self.until(lambda _: title in self.find(chosen).text, f'"{title}" to be chosen as the {field}')
            return wanted.get_attribute("data-track-id")

        start = choose("path-from", "aurora", "Aurora", keyboard=False)
        end = choose("path-to", "tide", "Tide", keyboard=True)
        self.click(tid("path-find"))

        def found(_: Any) -> list[str] | bool:
            ids = [row.get_attribute("data-track-id") for row in self.all(f'{tid("path-result")} {tid("track-row")}')]
            return ids if len(ids) >= 2 else False
        path = self.until(found, "the path between the two tracks")
        if path[0] != start or path[-1] != end or len(path) > 8:
            raise StepFailure(f"sonicpath: the path {path} does not go from {start} to {end} in at most 8 tracks")
        if not self.all(f'{tid("path-result")} {tid("track-reason")}'):
            raise StepFailure("sonicpath: the path's tracks do not say why they were picked")
        self.click(tid("path-play"))
        self.until(lambda _: self.current_id() == start, "the path's first track to play")
        self.wait_server_queue(path, "playing the path")
        self.js("document.getElementById('main').scrollTop = 0")
        self.shot("sonic-path")

    # MARK: - Stats, the year in review, the time zone

    def fresh(self, probe: Callable[[], Any]) -> Any:
        """probe(), or False when the page re-rendered under it (the condition is polled again)."""
        try:
            return probe()
        except StaleElementReferenceException:
            return False

    def fetch_text(self, path: str) -> dict[str, Any]:
        """GETs a path inside the page: {status, type, body} (for downloads that are not JSON)."""
        return self.driver.execute_async_script(
            """const [path, done] = arguments;
            fetch(path, {credentials: 'same-origin'})
              .then(async (r) => done({status: r.status, type: r.headers.get('Content-Type') || '', body: await r.text()}))
              .catch((e) => done({status: 0, type: '', body: String(e)}));""", path)

    def scroll_to(self, selector: str) -> None:
        """Scrolls the main area to an element and waits two frames, so a screenshot shows it there."""
        self.js("document.querySelector(arguments[0]).scrollIntoView()", selector)
        self.driver.execute_async_script("const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(done))")

    def stats(self) -> None:
        self.driver.set_window_size(1280, 900)
        # Nothing plays meanwhile: the figures stand still while the page and the API are compared.
        if not self.audio()["paused"]:
            self.click(tid("player-play"), "the player's pause button")
        self.until(lambda _: self.audio()["paused"], "the player to pause")
        try:
            self.click(tid("nav-stats"), "the Stats link")
            self.wait_view()
            self.visible(tid("stats"), "the stats page")
            Select(self.find(tid("stats-period"))).select_by_value("all")
            self.until(lambda _: "period=all" in self.js("return location.hash"), "the period to reach the address")

            def totals(_: Any) -> int | bool:
                element = self.find(tid("stats-total-plays"))
                if element is None or self.find(f'{tid("stats")} [aria-busy]') is not None:
                    return False
                shown = self.fresh(lambda: (int(element.get_attribute("data-value")), re.sub(r"\D", "", element.text)))
                if not shown:
                    return False
                plays = self.fetch_json("/api/v1/me/stats/listening?period=all&unit=month")["totals"]["plays"]
                if shown[0] != plays or shown[1] != str(plays):
                    # A play the server recorded after the page asked: show the figures again.
                    self.js("window.dispatchEvent(new HashChangeEvent('hashchange'))")
                    return False
                return plays if plays > 0 else False
            plays = self.until(totals, "the totals to show the API's play count for all time (above 0)")

            bars = self.until(lambda _: self.js(
                """return [...document.querySelectorAll('[data-testid="stats-listening-chart"] svg rect.chart-bar')]
                   .filter((r) => parseFloat(r.getAttribute('height')) > 0).length"""), "a bar in the listening chart")

            first = self.fetch_json("/api/v1/me/stats/top?period=all&kind=artists&limit=10")["items"][0]
            self.click(tid("stats-top-tab-artists"), "the Artists tab")
            items = f'{tid("stats-top-list")} {tid("stats-top-item")}'
            self.until(lambda _: self.fresh(lambda: (lambda rows: bool(rows) and rows[0].get_attribute("data-id") == first["id"]
                                                     and first["name"] in rows[0].text)(self.all(items))),
                       f'the top artists to start with {first["name"]!r}, as the API ranks them')
            if self.find(tid("stats-top-tab-artists")).get_attribute("aria-selected") != "true":
                raise StepFailure("stats: the Artists tab does not say aria-selected=true")

            heat = self.js("""const map = document.querySelector('[data-testid="stats-heatmap"]');
                return map && {rows: map.querySelectorAll('svg g.heat-row').length,
                               cells: map.querySelectorAll('svg g.heat-row rect').length,
                               played: map.querySelectorAll('svg rect.heat-cell:not(.empty)').length,
                               table: map.querySelectorAll('table tbody tr').length}""")
            if not heat or heat["rows"] != 7 or heat["cells"] != 7 * 24 or heat["table"] != 7 or heat["played"] < 1:
                raise StepFailure(f"stats: the heatmap is {heat}, expected 7 rows of 24 hours (a table of 7 rows), some played")

            csv = self.find(f'{tid("stats-listening")} {tid("stats-export-csv")}')
            href = csv.get_attribute("href") if csv is not None else ""
            if "format=csv" not in href or "period=all" not in href or csv.get_attribute("download") is None:
                raise StepFailure(f"stats: the listening section's CSV link is {href!r}")
            download = self.fetch_text(href)
            if download["status"] != 200 or "text/csv" not in download["type"] or not download["body"].startswith("start,plays"):
                raise StepFailure(f"stats: the CSV link answered {download['status']} {download['type']}: {download['body'][:120]!r}")
            if not self.all(f'{tid("stats-taste")} svg rect.chart-bar'):
                raise StepFailure("stats: the taste section shows no genre bars")

            household = self.fetch_json("/api/v1/stats/household?period=all&kind=artists&limit=10")
            self.until(lambda _: self.fresh(lambda: (lambda e: e is not None and e.text.startswith(
                f'{household["listeners"]} listener'))(self.find(tid("stats-household-listeners")))),
                "the household's count of listeners")
            if household["chart"]["items"]:
                self.visible(f'{tid("stats-household")} {tid("stats-household-item")}', "the household's top artists")
            # Only the main area scrolls: nothing on the page (a visually hidden text, say) reaches past the window.
            tall = self.js("return document.documentElement.scrollHeight - window.innerHeight")
            if tall > 0:
                raise StepFailure(f"stats: the document itself is {tall}px taller than the window")
            print(f"     {plays} plays for all time, {bars} bar(s); top artist {first['name']}", flush=True)
            self.js("document.getElementById('main').scrollTop = 0")
            self.shot("stats")
            self.scroll_to(tid("stats-habits"))
            self.shot("stats-habits")
            self.scroll_to(tid("stats-taste"))
            self.shot("stats-taste")
            # The dark theme's colours reach the charts (through CSS variables).
            self.js("document.documentElement.dataset.theme = 'dark'")
            self.scroll_to(tid("stats-habits"))
            self.shot("stats-dark")
            self.js("delete document.documentElement.dataset.theme")

            # The last 30 days: a bar a day, and the top artists say how they moved against the 30 days before.
            Select(self.find(tid("stats-period"))).select_by_value("30d")
            self.until(lambda _: self.find(f'{tid("stats")} [aria-busy]') is None and self.js(
                """return document.querySelectorAll('[data-testid="stats-listening-chart"] svg g.chart-column').length""") == 30,
                "the listening chart of the last 30 days, a bar per day")
            self.until(lambda _: self.fresh(lambda: all(row.find_elements(By.CSS_SELECTOR, ".move")
                                                        for row in self.all(f'{tid("stats-top-list")} {tid("stats-top-item")}'))),
                       "the top artists' moves against the period before")
            self.scroll_to(tid("stats-top"))
            self.shot("stats-top")

            # Custom dates: the week up to today (the browser's), a bar a day, and the period in the address.
            Select(self.find(tid("stats-period"))).select_by_value("custom")
            self.visible(tid("stats-custom"), "the custom dates' fields")
            week = self.js("""const day = (offset) => { const d = new Date(); d.setDate(d.getDate() + offset);
                return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`; };
                for (const [id, value] of [['stats-from', day(-6)], ['stats-to', day(0)]]) {
                  const input = document.querySelector(`[data-testid="${id}"]`);
                  input.value = value;
                  input.dispatchEvent(new Event('input', {bubbles: true}));
                }
                return [day(-6), day(0)];""")
            self.click(tid("stats-custom-apply"))
            address = "const q = new URLSearchParams(location.hash.split('?')[1] || ''); return [q.get('period'), q.get('from'), q.get('to')]"
            self.until(lambda _: self.js(address) == ["custom", week[0], week[1]]
                       and self.find(f'{tid("stats")} [aria-busy]') is None and self.js(
                """return document.querySelectorAll('[data-testid="stats-listening-chart"] svg g.chart-column').length""") == 7,
                f"the listening chart of {week[0]} to {week[1]}, a bar per day")
            custom = self.fetch_json(f"/api/v1/me/stats/listening?period=custom&from={week[0]}&to={week[1]}")["totals"]["plays"]
            shown = self.find(tid("stats-total-plays")).get_attribute("data-value")
            if shown != str(custom):
                raise StepFailure(f"stats: for {week[0]} to {week[1]} the page shows {shown} plays, the API {custom}")
            Select(self.find(tid("stats-period"))).select_by_value("30d")
            self.until(lambda _: "period=30d" in self.js("return location.hash") and self.find(f'{tid("stats")} [aria-busy]') is None
                       and self.js("""return document.querySelectorAll('[data-testid="stats-listening-chart"] svg g.chart-column').length""") == 30,
                       "the last 30 days again")

            # At phone width: the charts redraw to fit, and nothing is wider than the screen.
            self.driver.set_window_size(390, 844)
            self.until(lambda _: self.find(tid("menu-button")).is_displayed()
                       and not self.find(tid("nav-albums")).is_displayed(), "the phone layout (the navigation folded away)")
            self.until(lambda _: self.js("""const main = document.getElementById('main');
                const svg = document.querySelector('[data-testid="stats-listening-chart"] svg');
                return svg && Number(svg.getAttribute('width')) <= main.clientWidth"""),
                "the listening chart to redraw at the phone's width")
            overflow = self.js("""const main = document.getElementById('main');
                return Math.max(document.documentElement.scrollWidth - window.innerWidth, main.scrollWidth - main.clientWidth)""")
            if overflow > 0:
                raise StepFailure(f"stats: at 390 px the page is {overflow}px wider than the screen")
            self.js("document.getElementById('main').scrollTop = 0")
            self.shot("stats-phone")
            self.scroll_to(tid("stats-listening"))
            self.shot("stats-phone-chart")
            self.scroll_to(tid("stats-habits"))
            self.shot("stats-phone-habits")
        finally:
            self.driver.set_window_size(1280, 900)

    def review(self) -> None:
        year = self.js("return new Date().getFullYear()")
        expected = self.fetch_json(f"/api/v1/me/stats/year/{year}")
        if not expected["topArtists"]:
            raise StepFailure(f"review: the API has no top artist for {year}: {expected}")
        self.go("/stats")
        self.click(tid("stats-review-link"), "the Stats page's link to the year in review")
        self.wait_view()
        if self.js("return location.hash") != f"#/stats/year/{year}":
            raise StepFailure(f"review: the link opened {self.js('return location.hash')}, not this year's review")
        self.visible(tid("review"), "the review card")
        top = expected["topArtists"][0]["name"]
        self.until(lambda _: self.fresh(lambda: (lambda e: e is not None and e.text == top)(
            self.find(f'{tid("review-artist")} {tid("review-artist-name")}'))), f"the top artist {top!r}")
        plays = self.find(tid("review-plays"))
        if plays is None or re.sub(r"\D", "", plays.text) != str(expected["plays"]):
            raise StepFailure(f"review: the card shows {plays.text if plays else None!r} plays, the API {expected['plays']}")
        self.visible(tid("review-print"), "the Print button")
        self.shot("review")
        # Printed, the card stands alone: no navigation, player or buttons.
        self.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        try:
            shown = self.js("""return ['#sidebar', '#player', '.topbar', '[data-testid="review-image"]', '[data-testid="review"]']
                .map((s) => document.querySelector(s).getClientRects().length > 0)""")
            if shown != [False, False, False, False, True]:
                raise StepFailure(f"review: printed, sidebar/player/top bar/buttons/card show as {shown}")
            self.shot("review-print")
        finally:
            self.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})

        self.click(tid("review-image"), "the Save as image button")

        def made(_: Any) -> str | bool:
            link = self.find(tid("review-image-link"))
            href = (link.get_attribute("href") or "") if link is not None else ""
            return href if href.startswith("data:image/png") else False
        url = self.until(made, "the PNG of the review card")
        image = base64.b64decode(url.split(",", 1)[1])
        if not image.startswith(b"\x89PNG\r\n\x1a\n") or len(image) < 10_000:
            raise StepFailure(f"review: the image is {len(image)} bytes starting {image[:8]!r}")
        (self.shots / "review-image.png").write_bytes(image)
        self.screenshots.append("review-image.png")

    def timezone(self) -> None:
        original = self.fetch_json("/api/v1/me/preferences").get("timeZone") or "UTC"
        self.go("/preferences")
        field = self.visible(tid("pref-timezone"), "the time zone field")
        if field.get_attribute("value") != original:
            raise StepFailure(f"timezone: the field shows {field.get_attribute('value')!r}, the server has {original!r}")

        def save(zone: str) -> None:
            box = self.visible(tid("pref-timezone"), "the time zone field")
            box.clear()
            box.send_keys(zone, Keys.ESCAPE)
            self.click(tid("pref-save"))

        def saved(zone: str) -> None:
            self.until(lambda _: self.fetch_json("/api/v1/me/preferences").get("timeZone") == zone,
                       f"the server to keep the time zone {zone}")

        # An unknown zone: the server refuses it, and its message shows by the field.
        save("Mars/Olympus_Mons")
        self.until(lambda _: "time zone" in self.find(tid("pref-timezone-error")).text.lower(),
                   "the server's message about the unknown time zone")
        if self.fetch_json("/api/v1/me/preferences").get("timeZone") != original:
            raise StepFailure("timezone: an unknown time zone was saved")
        save("Asia/Tokyo")
        saved("Asia/Tokyo")
        if self.find(tid("pref-timezone-error")).text:
            raise StepFailure(f"timezone: the error stayed after a good save: {self.find(tid('pref-timezone-error')).text!r}")
        self.js("document.querySelector('[data-testid=\"pref-timezone\"]').scrollIntoView({block: 'center'})")
        self.shot("timezone")
        save(original)
        saved(original)

    # MARK: - The admin's server activity and recommendations

    def adminstats(self) -> None:
        self.driver.set_window_size(1280, 900)
        # Nothing plays meanwhile: the counters stand still while the page and the API are compared.
        if not self.audio()["paused"]:
            self.click(tid("player-play"), "the player's pause button")
        self.until(lambda _: self.audio()["paused"], "the player to pause")
        activity, recs = tid("admin-server-stats"), tid("admin-recommendations")
        try:
            self.go("/admin")
            self.visible(activity, "the Server activity section")

            def refresh(button: str) -> None:
                element = self.find(tid(button))
                if element is not None and element.is_enabled():
                    self.js("arguments[0].click()", element)

            def streams(hours: int) -> Callable[[Any], int | bool]:
                def shown_as_api(_: Any) -> int | bool:
                    element = self.find(f'{activity} {tid("admin-stats-streams")}')
                    if element is None or self.find(f"{activity} [aria-busy]") is not None:
                        return False
                    shown = self.fresh(lambda: (int(element.get_attribute("data-value")), re.sub(r"\D", "", element.text)))
                    if not shown:
                        return False
                    expected = sum(hour["streams"] for hour in self.fetch_json(f"/api/v1/admin/stats?hours={hours}")["hours"])
                    if shown[0] != expected or shown[1] != str(expected):
                        # A stream the server counted after the page asked: ask again.
                        refresh("admin-activity-refresh")
                        return False
                    return expected if expected > 0 else False
                return shown_as_api
            total = self.until(streams(48), "Server activity to show the API's streams total for 48 hours (above 0)")

            bars = self.until(lambda _: self.js(
                """return [...document.querySelectorAll('[data-testid="admin-stats-chart"] svg rect.chart-bar')]
                   .filter((r) => parseFloat(r.getAttribute('height')) > 0).length"""), "a bar in the hourly chart")
            scans = len(self.fetch_json("/api/v1/admin/stats?hours=48")["scans"])
            rows = self.until(lambda _: len(self.all(f'{tid("admin-scans-table")} {tid("admin-scan-row")}')),
                              "a row in the last scans' table")
            if rows != scans:
                raise StepFailure(f"adminstats: the scans table has {rows} rows, the API {scans} scans")
            if self.find(f'{activity} {tid("admin-stats-error")}') is not None:
                raise StepFailure(f"adminstats: {self.find(tid('admin-stats-error')).text}")

            report = self.fetch_json("/api/v1/admin/recommendations?days=30")
            if not any(source["shown"] > 0 for source in report["sources"]):
                raise StepFailure(f"adminstats: the API counts no recommendation shown: {report['sources']}")

            def matching(_: Any) -> list[str] | bool:
                if self.find(f"{recs} [aria-busy]") is not None:
                    return False
                shown = self.fresh(lambda: {row.get_attribute("data-source"): self.find(tid("admin-rec-shown"), row).text
                                            for row in self.all(f'{recs} {tid("admin-rec-row")}')})
                if shown is False:
                    return False
                expected = {s["source"]: s["shown"] for s in self.fetch_json("/api/v1/admin/recommendations?days=30")["sources"]}
                same = [source for source, count in expected.items()
                        if count > 0 and re.sub(r"\D", "", shown.get(source, "")) == str(count)]
                if not same:
                    refresh("admin-recs-refresh")
                return same or False
            same = self.until(matching, "a recommender's row in Recommendations showing the API's count of picks shown")
            adaptive = self.find(f'{recs} {tid("admin-recs-adaptive")}')
            if adaptive is None or adaptive.get_attribute("data-adaptive") != str(bool(report["adaptive"])).lower():
                raise StepFailure(f"adminstats: the adaptation line says {adaptive.text if adaptive else None!r}, "
                                  f"the API adaptive={report['adaptive']}")
            if report["listeners"] and not self.all(f'{recs} {tid("admin-rec-listener")} {tid("admin-rec-listener-row")}'):
                raise StepFailure("adminstats: no listener's table under Recommendations")
            print(f"     {total} stream(s) in 48 h, {bars} bar(s), {rows} scan(s); shown as the API counts: {', '.join(same)}",
                  flush=True)
            # The last step's "saved" message fades first: the screenshots show the sections whole.
            self.until(lambda _: self.js("return getComputedStyle(document.getElementById('status')).opacity === '0'"),
                       "the status message to fade", timeout=10)
            self.scroll_to(activity)
            self.shot("admin-stats")
            self.scroll_to(recs)
            self.shot("admin-recommendations")

            # The window picker: a week by the hour, a month by the day (30 or 31 local days), back to 48 hours.
            columns = """return document.querySelectorAll('[data-testid="admin-stats-chart"] svg g.chart-column').length"""
            for hours, expected in ((168, {168}), (720, {30, 31}), (48, {48})):
                Select(self.find(tid("admin-activity-window"))).select_by_value(str(hours))
                self.until(streams(hours), f"Server activity to show the API's streams total for {hours} hours")
                self.until(lambda _: self.js(columns) in expected, f"the activity chart of {hours} hours to have {expected} bars")

            # At phone width: the charts redraw to fit, the tables scroll inside their boxes.
            self.driver.set_window_size(390, 844)
            self.until(lambda _: self.find(tid("menu-button")).is_displayed()
                       and not self.find(tid("nav-albums")).is_displayed(), "the phone layout (the navigation folded away)")
            self.until(lambda _: self.js("""const main = document.getElementById('main');
                const svg = document.querySelector('[data-testid="admin-stats-chart"] svg');
                return svg && Number(svg.getAttribute('width')) <= main.clientWidth"""),
                "the hourly chart to redraw at the phone's width")
            width = """const main = document.getElementById('main');
                return Math.max(document.documentElement.scrollWidth - window.innerWidth, main.scrollWidth - main.clientWidth)"""
            try:
                WebDriverWait(self.driver, 5, poll_frequency=0.2).until(lambda _: self.js(width) <= 0)
            except TimeoutException:
                # What reaches past the screen: out of the flow, or in no box that scrolls sideways.
                wide = self.js("""const main = document.getElementById('main');
                    const limit = Math.min(window.innerWidth, main.clientWidth + main.getBoundingClientRect().left);
                    const clipped = (e) => { for (let p = e.parentElement; p && p !== main; p = p.parentElement) {
                        if (getComputedStyle(p).overflowX !== 'visible') return true; } return false; };
                    return [...document.querySelectorAll('body *')].map((e) => [e, e.getBoundingClientRect().right])
                      .filter(([e, right]) => right > limit + 1 && (!clipped(e) || getComputedStyle(e).position === 'absolute'))
                      .sort((a, b) => b[1] - a[1]).slice(0, 8)
                      .map(([e, right]) => `${e.tagName.toLowerCase()}.${e.getAttribute('class') || ''}`
                        + `[${e.dataset.testid || e.id || ''}] right ${Math.round(right)}`)""")
                raise StepFailure(f"adminstats: at 390 px the admin page is {self.js(width)}px wider than the screen: {wide}")
            self.scroll_to(activity)
            self.shot("admin-stats-phone")
            self.scroll_to(recs)
            self.shot("admin-recommendations-phone")
        finally:
            self.driver.set_window_size(1280, 900)

    # MARK: - Spotify: the streaming history import and the missing music

    SPOTIFY_OFF = "Spotify is not enabled on this server; ask your admin."

    def spotify_plugin(self) -> dict[str, Any] | None:
        listed = self.fetch_json("/api/v1/admin/plugins")
        plugins = listed if isinstance(listed, list) else listed.get("items", [])
        return next((p for p in plugins if p.get("descriptor", {}).get("id") == "spotify"), None)

    @staticmethod
    def spotify_export() -> list[dict[str, Any]]:
        """An extended streaming history: 6 entries, 5 of music (3 in the library), 1 podcast."""
        def play(ts: str, ms: int, track: str | None, artist: str | None, album: str | None, uri: str | None,
                 **extra: Any) -> dict[str, Any]:
            return {"ts": ts, "platform": "linux", "ms_played": ms, "conn_country": "IS",
                    "master_metadata_track_name": track, "master_metadata_album_artist_name": artist,
                    "master_metadata_album_album_name": album, "spotify_track_uri": uri,
                    "episode_name": None, "episode_show_name": None, "spotify_episode_uri": None,
                    "reason_start": "trackdone", "reason_end": "trackdone", "shuffle": False, "skipped": False,
                    "offline": False, "incognito_mode": False, **extra}
        return [
            play("2024-03-02T08:15:30Z", 30_000, "Daybreak", "Aurora Quartet", "Morning Light", "spotify:track:e2eDaybreak"),
            play("2024-03-03T19:02:11Z", 29_500, "Daybreak", "Aurora Quartet", "Morning Light", "spotify:track:e2eDaybreak"),
            # Written without the accents of "Norður" by "Ólöf Example" on "Ljós".
            play("2024-03-04T21:40:00Z", 30_000, "Nordur", "Olof Example", "Ljos", "spotify:track:e2eNordur"),
            play("2024-03-05T07:00:00Z", 1_800_000, None, None, None, None, episode_name="Episode 12",
                 episode_show_name="A Podcast", spotify_episode_uri="spotify:episode:e2ePodcast"),
            play("2024-03-06T22:10:05Z", 364_000, "Windowlicker", "Aphex Twin", "Windowlicker", "spotify:track:e2eWindow"),
            play("2024-03-07T23:30:45Z", 120_000, "Windowlicker", "Aphex Twin", "Windowlicker", "spotify:track:e2eWindow",
                 reason_end="fwdbtn", skipped=True),
        ]

    def spotify_import(self, paths: list[Path], keyboard: bool = False) -> dict[str, Any]:
        """Chooses the files on the profile, imports them; returns the summary's figures once it shows them."""
        summary = tid("spotify-summary")
        before = self.js("const e = document.querySelector(arguments[0]); return e ? e.dataset.run || '' : ''", summary)
        field = self.visible(tid("spotify-files"), "the Spotify files field")
        if not self.js("return arguments[0].multiple && arguments[0].accept", field):
            raise StepFailure(f"spotify: the files field takes one file, or any kind ({field.get_attribute('accept')!r})")
        field.send_keys("\n".join(str(path) for path in paths))
        self.until(lambda _: self.js("return arguments[0].files.length", field) == len(paths), f"{len(paths)} file(s) chosen")
        if keyboard:
            button = self.visible(tid("spotify-import"), "the Import button")
            self.js("arguments[0].focus()", button)
            self.driver.switch_to.active_element.send_keys(Keys.ENTER)
        else:
            self.click(tid("spotify-import"), "the Import button")

        def done(_: Any) -> dict[str, Any] | bool:
            element = self.find(summary)
            state = self.fresh(lambda: element is not None and element.is_displayed()
                               and (element.get_attribute("data-run"), element.get_attribute("data-state"),
                                    element.get_attribute("data-result")))
            if not state or state[0] in (None, before) or state[1] != "done":
                return False
            return json.loads(state[2])
        result = self.until(done, f"the summary of importing {', '.join(p.name for p in paths)}", timeout=60)
        # Each figure shows as the server counted it.
        shown = {key: self.find(tid(f"spotify-summary-{key}")).get_attribute("data-value")
                 for key in ("read", "matched", "imported", "duplicates", "unmatched", "others")}
        wanted = {"read": result["entries"] + result["others"], **{key: result[key] for key in
                  ("matched", "imported", "duplicates", "unmatched", "others")}}
        if shown != {key: str(value) for key, value in wanted.items()}:
            raise StepFailure(f"spotify: the summary shows {shown}, the server answered {result}")
        progress = self.find(tid("spotify-progress"))
        if progress.get_attribute("value") != progress.get_attribute("max") or progress.get_attribute("max") != str(len(paths)):
            raise StepFailure(f"spotify: the progress stopped at {progress.get_attribute('value')} of {progress.get_attribute('max')}")
        return result

    def spotify(self) -> None:
        self.driver.set_window_size(1280, 900)
        section = tid("spotify-history")
        # Off (as it starts): the route answers 404, and the profile says so.
        plugin = self.spotify_plugin()
        if plugin is None:
            raise StepFailure("spotify: the admin's plugin list has no spotify plugin")
        if not plugin.get("enabled"):
            answer = self.fetch_text("/api/v1/plugins/spotify/missing")
            if answer["status"] != 404:
                raise StepFailure(f"spotify: while off, the route answered {answer['status']}: {answer['body'][:200]!r}")
            self.go("/profile")
            self.until(lambda _: self.fresh(lambda: (lambda e: e is not None and e.text == self.SPOTIFY_OFF)(
                self.find(f'{section} {tid("spotify-disabled")}'))), "the profile to say Spotify is not enabled")
            if self.find(tid("spotify-files")) is not None:
                raise StepFailure("spotify: the import shows while the plugin is off")
            self.scroll_to(section)
            self.shot("spotify-off")

        # The admin turns it on from the admin page.
        def running(_: Any) -> bool:
            try:
                return any("spotify" in row.text and "running" in row.text for row in self.all(tid("plugin-row")))
            except StaleElementReferenceException:
                return False
        self.go("/admin")
        self.click(tid("plugin-config-spotify") + " summary", "the Configure Spotify disclosure")
        box = self.visible(tid("plugin-enabled-spotify"), "Spotify's Enabled box")
        if not box.is_selected():
            box.click()
        self.click(tid("plugin-save-spotify"))
        self.until(running, "Spotify to run after the admin saved it")
        plugin = self.spotify_plugin()
        if not plugin or not plugin.get("enabled") or plugin.get("state") != "running":
            raise StepFailure(f"spotify: the admin API lists {plugin}")

        self.go("/profile")
        self.visible(tid("spotify-files"), "the Spotify import on the profile")
        self.until(lambda _: self.find(f'{tid("spotify-missing")} {tid("spotify-missing-empty")}') is not None,
                   "Missing music to say nothing is missing before an import")
        with tempfile.TemporaryDirectory(prefix="canto-e2e-spotify-") as folder:
            export = Path(folder) / "Streaming_History_Audio_2024.json"
            export.write_text(json.dumps(self.spotify_export(), ensure_ascii=False, indent=1), encoding="utf-8")
            wrong = Path(folder) / "Userdata.json"
            wrong.write_text(json.dumps({"username": "someone", "country": "IS"}), encoding="utf-8")

            first = self.spotify_import([export])
            expected = {"entries": 5, "others": 1, "matched": 3, "imported": 3, "duplicates": 0, "refused": 0,
                        "unmatched": 2, "files": 1, "sent": 1}
            if first != expected:
                raise StepFailure(f"spotify: the first import gave {first}, expected {expected}")
            if self.find(tid("spotify-errors")) is not None:
                raise StepFailure(f"spotify: the first import shows errors: {self.find(tid('spotify-errors')).text!r}")

            # Again, with a file that is no export, by the keyboard: nothing added, the server's message for the other.
            again = self.spotify_import([export, wrong], keyboard=True)
            expected = {**expected, "imported": 0, "duplicates": 3, "files": 2}
            if again != expected:
                raise StepFailure(f"spotify: importing again gave {again}, expected {expected}")
            errors = [e.text for e in self.all(f'{tid("spotify-errors")} {tid("spotify-error")}')]
            if len(errors) != 1 or not errors[0].startswith("Userdata.json: ") or "not a Spotify streaming history" not in errors[0]:
                raise StepFailure(f"spotify: the errors listed are {errors}")
            progress = self.find(tid("spotify-progress-text")).text
            if not progress.startswith("1 of 2 files imported"):
                raise StepFailure(f"spotify: the progress line says {progress!r}")

        # Missing music: Windowlicker, its two plays counted once though the file came twice.
        missing = tid("spotify-missing")
        window = f'{missing} {tid("spotify-missing-album")}[data-artist="Aphex Twin"][data-album="Windowlicker"]'

        def windowlicker(_: Any) -> tuple[str, str] | bool:
            row = self.find(window)
            return self.fresh(lambda: row is not None and (self.find(tid("spotify-missing-plays"), row).text,
                                                           self.find(tid("spotify-missing-tracks"), row).text))
        counts = self.until(windowlicker, "Windowlicker by Aphex Twin under Missing music")
        if counts != ("2", "1"):
            raise StepFailure(f"spotify: Windowlicker shows {counts} (plays, tracks), expected 2 plays of 1 track")
        titles = [row.text for row in self.all(f'{missing} {tid("spotify-missing-album")}')]
        if any("Daybreak" in t or "Morning Light" in t or "Ljos" in t for t in titles):
            raise StepFailure(f"spotify: music the library has shows as missing: {titles}")
        api = self.fetch_json("/api/v1/plugins/spotify/missing")
        if [(a["artist"], a["album"], a["plays"], a["tracks"]) for a in api["albums"]] != [("Aphex Twin", "Windowlicker", 2, 1)]:
            raise StepFailure(f"spotify: the API lists the missing albums {api['albums']}")

        # Household, by the keyboard (arrow keys on the radio buttons); its CSV link follows.
        mine = self.find(f'{tid("spotify-scope-mine")} input')
        self.js("arguments[0].focus()", mine)
        self.driver.switch_to.active_element.send_keys(Keys.ARROW_RIGHT)
        self.until(lambda _: self.js("return document.querySelector(arguments[0]).checked",
                                     f'{tid("spotify-scope-household")} input'), "the Household choice to be checked")
        csv = tid("spotify-missing-csv")
        self.until(lambda _: "scope=household" in (self.find(csv).get_attribute("href") or "")
                   and self.find(f"{missing}[aria-busy]") is None and self.find(window) is not None
                   and "listener" in self.find(tid("spotify-missing-meta")).text,
                   "the household's missing music and its CSV link")
        href = self.find(csv).get_attribute("href")
        download = self.fetch_text(href)
        if (download["status"] != 200 or "text/csv" not in download["type"]
                or not download["body"].startswith("artist,album,unmatched_plays,tracks")
                or "Aphex Twin,Windowlicker,2,1" not in download["body"]):
            raise StepFailure(f"spotify: the CSV link answered {download['status']} {download['type']}: {download['body'][:160]!r}")
        self.click(tid("spotify-scope-mine"), "the Mine choice")
        self.until(lambda _: "scope=household" not in (self.find(csv).get_attribute("href") or "")
                   and self.find(f"{missing}[aria-busy]") is None and self.find(window) is not None, "my missing music again")

        # The history holds the three matched plays, from Spotify.
        history = self.fetch_json("/api/v1/me/history?from=2024-03-01&to=2024-04-01&limit=50")
        plays = sorted((item.get("title"), item.get("client")) for item in history["items"])
        if plays != [("Daybreak", "Spotify"), ("Daybreak", "Spotify"), ("Norður", "Spotify")] or history.get("total") != 3:
            raise StepFailure(f"spotify: the history of March 2024 holds {plays} (total {history.get('total')})")
        print(f"     imported {first['imported']} of {first['entries']} plays, then {again['duplicates']} already there; "
              f"missing: {[(a['artist'], a['album']) for a in api['albums']]}", flush=True)
        self.until(lambda _: self.js("return getComputedStyle(document.getElementById('status')).opacity === '0'"),
                   "the status message to fade", timeout=10)
        self.scroll_to(section)
        self.shot("spotify")

        # At phone width nothing in the section reaches past the screen (its tables scroll in their boxes).
        self.fits_phone(section, "spotify-phone")

    def fits_phone(self, selector: str, shot: str, more: tuple[tuple[str, str], ...] = ()) -> None:
        """At 390 px wide nothing in `selector` reaches past the screen (what scrolls in its own box aside);
        screenshots `shot` there, and each of `more` (selector, shot) scrolled into view."""
        try:
            self.driver.set_window_size(390, 844)
            self.until(lambda _: self.find(tid("menu-button")).is_displayed()
                       and not self.find(tid("nav-albums")).is_displayed(), "the phone layout (the navigation folded away)")
            wide = self.js("""const main = document.getElementById('main');
                const limit = main.getBoundingClientRect().left + main.clientWidth;
                const clipped = (e) => { for (let p = e.parentElement; p && p !== main; p = p.parentElement) {
                    if (getComputedStyle(p).overflowX !== 'visible') return true; } return false; };
                return [...document.querySelectorAll(arguments[0] + ' *')]
                  .filter((e) => e.getClientRects().length && e.getBoundingClientRect().right > limit + 1 && !clipped(e))
                  .slice(0, 8).map((e) => `${e.tagName.toLowerCase()}.${e.getAttribute('class') || ''}[${e.dataset.testid || ''}]`)""",
                selector)
            if wide:
                raise StepFailure(f"{self.step_name}: at 390 px these reach past the screen: {wide}")
            self.scroll_to(selector)
            self.shot(shot)
            for part, name in more:
                self.scroll_to(part)
                self.shot(name)
        finally:
            self.driver.set_window_size(1280, 900)

    # MARK: - Spotify: link, sync, Connect, export (against the fake Spotify the Swift test runs)

    SPOTIFY_ACCOUNT = "E2E on Spotify"
    ROAD_TRIP = "e2eRoadTrip".ljust(22, "0")
    SOMEONE_ELSES = "e2eSomeoneElse".ljust(22, "0")
    HARBOUR_LIVE = "e2eHarbourLive".ljust(22, "0")
    UNREADABLE = "Spotify lets apps read only playlists you own or collaborate on."

    def attr(self, selector: str, name: str) -> str | None:
        """An attribute of the first element matching selector (None when there is none, or it just re-rendered)."""
        return self.fresh(lambda: (lambda e: e.get_attribute(name) if e is not None else None)(self.find(selector)))

    def text_of(self, selector: str) -> str:
        return self.fresh(lambda: (lambda e: e.text if e is not None else "")(self.find(selector))) or ""

    def spotify_profile(self) -> None:
        self.driver.set_window_size(1280, 900)
        self.go("/profile")
        self.visible(tid("spotify-account"), "the Spotify account part of the profile")

    def spotifylink(self) -> None:
        self.spotify_profile()
        setup = self.fetch_json("/api/v1/plugins/spotify/setup")
        # This server's callback (on the loopback address Spotify takes over plain HTTP, with or without the port).
        expected_uri = setup.get("redirectUri")
        if (expected_uri not in (self.base + "/plugins/spotify/link-callback", "http://127.0.0.1/plugins/spotify/link-callback")
                or not setup.get("accepted") or not setup.get("clientIdSet")):
            raise StepFailure(f"spotifylink: the setup route answers {setup}")
        # The admin sees what to register at Spotify: the redirect URI, that Spotify takes it, the advice.
        self.click(tid("spotify-setup") + " > summary", "the Spotify app disclosure (admins)")
        uri = self.visible(tid("spotify-redirect-uri"), "the redirect URI to register")
        if uri.text != expected_uri:
            raise StepFailure(f"spotifylink: the profile shows the redirect URI {uri.text!r}, not {expected_uri!r}")
        if self.attr(tid("spotify-redirect-accepted"), "data-value") != "true" or self.text_of(tid("spotify-redirect-accepted")) != "Yes":
            raise StepFailure("spotifylink: the profile does not say Spotify accepts the redirect URI")
        if self.text_of(tid("spotify-setup-advice")) != setup["advice"]:
            raise StepFailure(f"spotifylink: the advice shown is {self.text_of(tid('spotify-setup-advice'))!r}")
        if self.attr(tid("spotify-client-id"), "data-value") != "true":
            raise StepFailure("spotifylink: the profile says the Client ID is not entered")
        # The listener: not linked, and what Canto would ask Spotify for, in words.
        state = tid("spotify-link-state")
        if self.attr(state, "data-state") != "none":
            raise StepFailure(f"spotifylink: before linking the profile says {self.text_of(state)!r}")
        self.click(tid("spotify-permissions") + " > summary", "the permissions Canto asks for")
        scopes = [e.get_attribute("data-scope") for e in self.all(tid("spotify-permission"))]
        if scopes != setup["scopes"]:
            raise StepFailure(f"spotifylink: the permissions listed are {scopes}, the server asks {setup['scopes']}")
        wordless = [e.text for e in self.all(tid("spotify-permission")) if e.text == e.get_attribute("data-scope")]
        if wordless:
            raise StepFailure(f"spotifylink: these permissions are not said in words: {wordless}")
        if self.find(tid("linked-spotify")) is not None:
            raise StepFailure("spotifylink: Spotify is listed with the scrobblers under Connected accounts too")
        self.scroll_to(tid("spotify-history"))
        self.shot("spotify-setup")

        # Connect: Spotify's page (the fake approves at once) sends the browser back to the profile.
        self.click(tid("spotify-link"), "the Connect on Spotify button")

        def linked(_: Any) -> bool:
            if not self.driver.current_url.startswith(self.base + "/"):
                return False
            return self.attr(state, "data-state") == "linked"
        self.until(linked, "the profile to show Spotify linked after Spotify's page", timeout=30)
        self.wait_view()
        if self.SPOTIFY_ACCOUNT not in self.text_of(state):
            raise StepFailure(f"spotifylink: the profile says {self.text_of(state)!r}, not linked as {self.SPOTIFY_ACCOUNT!r}")
        if "linked=" in self.driver.current_url:
            raise StepFailure(f"spotifylink: the address still says how linking went: {self.driver.current_url}")
        accounts = self.fetch_json("/api/v1/me/linked-accounts")["items"]
        spotify = next((a for a in accounts if a["plugin"] == "spotify"), None)
        if not spotify or not spotify.get("linked") or spotify.get("account") != self.SPOTIFY_ACCOUNT:
            raise StepFailure(f"spotifylink: the server lists {spotify}")
        self.visible(tid("spotify-sync"), "the Sync now button once linked")
        self.visible(tid("spotify-unlink"), "the Unlink button once linked")
        self.until(lambda _: self.js("return getComputedStyle(document.getElementById('status')).opacity === '0'"),
                   "the status message to fade", timeout=10)
        self.scroll_to(tid("spotify-account"))
        self.shot("spotify-linked")

    def spotifysync(self) -> None:
        self.spotify_profile()
        result = tid("spotify-sync-result")
        before = self.attr(result, "data-run")
        self.click(tid("spotify-sync"), "the Sync now button")
        # Busy while Spotify answers: the button says so (the fake may answer before we look).
        seen = self.js("""const b = document.querySelector(arguments[0]);
            return b.getAttribute('aria-disabled') === 'true' || b.textContent === 'Sync now'""", tid("spotify-sync"))
        if not seen:
            raise StepFailure("spotifysync: the Sync now button neither shows it is busy nor is back")

        def done(_: Any) -> dict[str, Any] | bool:
            run, state, data = self.attr(result, "data-run"), self.attr(result, "data-state"), self.attr(result, "data-result")
            if run in (None, before) or state not in ("done", "failed"):
                return False
            if state == "failed":
                raise StepFailure(f"spotifysync: the sync failed: {self.text_of(result)!r}")
            return json.loads(data)
        answer = self.until(done, "the sync's summary", timeout=60)
        if not (answer.get("playlists") == 2 and answer.get("unreadable") == 1 and answer.get("entries") == 6
                and answer.get("matched") == 3 and answer.get("liked") == 2):
            raise StepFailure(f"spotifysync: the sync answered {answer}")
        words = self.text_of(result)
        for part in (f"{answer['playlists']} playlists", f"{answer['entries']} entries brought in, {answer['matched']} of them in the library",
                     f"{answer['liked']} liked songs"):
            if part not in words:
                raise StepFailure(f"spotifysync: the summary {words!r} does not say {part!r}")
        if self.find(tid("spotify-sync-progress")).is_displayed():
            raise StepFailure("spotifysync: the progress still shows after the sync")
        if self.attr(tid("spotify-sync"), "aria-disabled") == "true":
            raise StepFailure("spotifysync: the Sync now button stays busy")

        # The playlists: how much of each the library has, the one Spotify does not let apps read marked.
        road = f'{tid("spotify-playlist")}[data-id="{self.ROAD_TRIP}"]'
        other = f'{tid("spotify-playlist")}[data-id="{self.SOMEONE_ELSES}"]'
        self.until(lambda _: self.find(road) is not None and self.find(other) is not None, "both playlists listed")
        count = self.text_of(f"{road} {tid('spotify-playlist-count')}")
        if count != "3 of 6 tracks in the library (50 %)":
            raise StepFailure(f"spotifysync: E2E Road trip shows {count!r}, expected 3 of 6 tracks in the library")
        if self.text_of(f"{other} {tid('spotify-playlist-unreadable')}") != self.UNREADABLE:
            raise StepFailure(f"spotifysync: the followed playlist is not marked unreadable: {self.text_of(other)!r}")
        if self.find(f"{other} {tid('spotify-playlist-entries')}") is not None:
            raise StepFailure("spotifysync: the unreadable playlist offers its entries")
        status = self.fetch_json("/api/v1/plugins/spotify/status")
        canto_id = next(p["playlistId"] for p in status["playlists"] if p["id"] == self.ROAD_TRIP)
        link = self.find(f"{road} {tid('spotify-playlist-link')}")
        if link is None or not (link.get_attribute("href") or "").endswith(f"#/playlist/{canto_id}"):
            raise StepFailure(f"spotifysync: the playlist's name does not link to the Canto playlist {canto_id}")
        liked = f"Liked songs: {status['liked']}, {status['likedMatched']} of them in the library"
        if not self.text_of(tid("spotify-liked")).startswith(liked) or status["liked"] != 2:
            raise StepFailure(f"spotifysync: the liked songs line says {self.text_of(tid('spotify-liked'))!r}, the server {status}")
        self.until(lambda _: self.js("return getComputedStyle(document.getElementById('status')).opacity === '0'"),
                   "the status message to fade", timeout=10)
        self.scroll_to(tid("spotify-sync-part"))
        self.shot("spotify-sync")

        # One playlist's entries: those the library lacks greyed, each with Fix match.
        self.click(f"{road} {tid('spotify-playlist-entries')}", "the playlist's Entries link")
        self.wait_view()
        if self.text_of(tid("spotify-playlist-title")) != "E2E Road trip":
            raise StepFailure(f"spotifysync: the entries page is titled {self.text_of(tid('spotify-playlist-title'))!r}")
        rows = self.until(lambda _: (lambda r: r if len(r) == 6 else False)(self.all(tid("spotify-entry"))), "6 entries")
        unmatched = [r.find_element(By.CSS_SELECTOR, tid("spotify-entry-title")).text for r in rows
                     if r.get_attribute("data-matched") == "false"]
        if unmatched != ["Windowlicker", "Harbour - Live at the Pier", "Teardrop"]:
            raise StepFailure(f"spotifysync: the entries not in the library are {unmatched}")
        harbour = f'{tid("spotify-entry")}[data-spotify-id="{self.HARBOUR_LIVE}"]'
        colours = self.js("""const t = (s) => getComputedStyle(document.querySelector(s + ' .title')).color;
            return [t(arguments[0]), t(arguments[1])]""", harbour, f'{tid("spotify-entry")}[data-matched="true"]')
        if "absent" not in (self.attr(harbour, "class") or "").split() or colours[0] == colours[1]:
            raise StepFailure(f"spotifysync: the unmatched entry is not greyed ({colours})")
        self.shot("spotify-playlist")

        # Fix match: the library's "Harbour" is the live one after all.
        self.click(f"{harbour} {tid('spotify-fix')}", "Fix match on Harbour - Live at the Pier")
        dialog = self.visible(tid("spotify-fix-dialog"), "the Fix match dialog")
        query = self.find(tid("spotify-fix-query"))
        if query.get_attribute("value") != "Harbour" or self.js("return document.activeElement") != query:
            raise StepFailure(f"spotifysync: the dialog's search starts at {query.get_attribute('value')!r} (focused: "
                              f"{self.js('return document.activeElement') == query})")
        harbour_id = next(t["id"] for t in self.fetch_json("/api/v1/search?q=harbour")["tracks"] if t["title"] == "Harbour")
        option = self.visible(f'{tid("spotify-fix-option")}[data-track-id="{harbour_id}"]', "the library's Harbour among the matches")
        self.shot("spotify-fix")
        option.click()
        self.until(lambda _: self.find(tid("spotify-fix-dialog")) is None, "the dialog to close after choosing")
        self.until(lambda _: self.attr(harbour, "data-matched") == "true" and self.attr(harbour, "data-track-id") == harbour_id,
                   "the entry to show matched to Harbour")
        said = self.text_of(tid("spotify-fix-status"))
        if "is now “Harbour”" not in said:
            raise StepFailure(f"spotifysync: after the fix the page says {said!r}")
        if self.attr(tid("spotify-playlist-meta"), "data-matched") != "4":
            raise StepFailure(f"spotifysync: the page counts {self.text_of(tid('spotify-playlist-meta'))!r} after the fix")
        if "your choice" not in self.text_of(f"{harbour} {tid('spotify-entry-match')}"):
            raise StepFailure(f"spotifysync: the fixed entry says {self.text_of(harbour)!r}")
        entries = self.fetch_json(f"/api/v1/plugins/spotify/playlists/{self.ROAD_TRIP}")["entries"]
        fixed = next(e for e in entries if e["spotifyId"] == self.HARBOUR_LIVE)
        if fixed["trackId"] != harbour_id or fixed["method"] != "manual":
            raise StepFailure(f"spotifysync: the server keeps {fixed}")

        self.fits_phone("#main .view", "spotify-playlist-phone")

        # The Canto playlist follows: the matched tracks in Spotify's order.
        self.click(tid("spotify-playlist-canto"), "the link to the Canto playlist")
        self.wait_view()
        titles = self.until(lambda _: (lambda t: t if len(t) == 4 else False)([e.text for e in self.all(tid("track-title"))]),
                            "the Canto playlist's 4 tracks")
        if titles != ["Aurora", "Crystal Lullaby", "Harbour", "Lantern"]:
            raise StepFailure(f"spotifysync: the Canto playlist holds {titles}")

    def spotifyconnect(self) -> None:
        self.spotify_profile()
        panel = tid("spotify-connect")
        now = tid("spotify-now")
        status = tid("spotify-connect-status")
        device = lambda name: f'{tid("spotify-device")}[data-id="{name}"]'  # noqa: E731
        self.until(lambda _: len(self.all(tid("spotify-device"))) == 2 and self.attr(now, "data-state") == "idle",
                   "the two devices listed, nothing playing")
        if self.all(f'{tid("spotify-device")}[data-active="true"]'):
            raise StepFailure("spotifyconnect: a device shows active before any was chosen")
        names = [e.text for e in self.all(tid("spotify-device-name"))]
        if sorted(names) != ["E2E Phone", "Kitchen speaker"]:
            raise StepFailure(f"spotifyconnect: the devices listed are {names}")

        def said(after: str | None, state: str) -> Callable[[Any], str | bool]:
            def check(_: Any) -> str | bool:
                if self.attr(status, "data-run") in (None, after) or self.attr(status, "data-state") != state:
                    return False
                return self.text_of(status) or False
            return check

        # Play with no device active: Spotify's refusal, in words.
        run = self.attr(status, "data-run")
        self.click(tid("spotify-toggle"), "the Spotify play button")
        refusal = self.until(said(run, "error"), "Spotify's refusal to play with no device active")
        if not refusal.startswith("Could not play: ") or len(refusal) < len("Could not play: ") + 8:
            raise StepFailure(f"spotifyconnect: the refusal reads {refusal!r}")
        if "error" not in (self.attr(status, "class") or ""):
            raise StepFailure("spotifyconnect: the refusal does not show as an error")
        print(f"     refusal shown: {refusal}", flush=True)
        self.scroll_to(panel)
        self.shot("spotify-connect-error")

        # Transfer to the phone: it plays there.
        run = self.attr(status, "data-run")
        self.click(f'{device("e2e-phone")} {tid("spotify-transfer")}', "Transfer on E2E Phone")
        self.until(said(run, "ok"), "the transfer to be confirmed")
        self.until(lambda _: self.attr(device("e2e-phone"), "data-active") == "true" and self.attr(now, "data-state") == "playing",
                   "E2E Phone to be active and playing")
        # The Road trip (not all in the library) plays on Spotify.
        run = self.attr(status, "data-run")
        self.click(f'{tid("spotify-playlist")}[data-id="{self.ROAD_TRIP}"] {tid("spotify-play-on-spotify")}',
                   "Play on Spotify on E2E Road trip")
        self.until(said(run, "ok"), "playing the playlist on Spotify to be confirmed")
        self.until(lambda _: "“Aurora” by Aurora Quartet on E2E Phone" in self.text_of(now),
                   "the panel to show the playlist's first track playing")
        # Pause.
        run = self.attr(status, "data-run")
        if self.attr(tid("spotify-toggle"), "aria-label") != "Pause Spotify":
            raise StepFailure("spotifyconnect: while Spotify plays, the button does not offer Pause")
        self.click(tid("spotify-toggle"), "the Spotify pause button")
        self.until(said(run, "ok"), "the pause to be confirmed")
        self.until(lambda _: self.attr(now, "data-state") == "paused" and self.text_of(now).startswith("Paused"), "the panel to say paused")
        # The volume (the slider, let go at 30).
        run = self.attr(status, "data-run")
        self.js("""const v = document.querySelector(arguments[0]); v.focus(); v.value = '30';
            v.dispatchEvent(new Event('input', {bubbles: true})); v.dispatchEvent(new Event('change', {bubbles: true}));""",
                tid("spotify-volume"))
        volume = self.until(said(run, "ok"), "the volume to be set")
        if volume != "Volume 30 %.":
            raise StepFailure(f"spotifyconnect: after the volume the panel says {volume!r}")
        self.scroll_to(panel)
        self.shot("spotify-connect")
        self.until(lambda _: self.js("return getComputedStyle(document.getElementById('status')).opacity === '0'"),
                   "the status message to fade", timeout=10)
        self.fits_phone(tid("spotify-history"), "spotify-phone-linked",
                        ((tid("spotify-sync-part"), "spotify-phone-sync"), (panel, "spotify-phone-connect")))

    def spotifyexport(self) -> None:
        self.driver.set_window_size(1280, 900)
        found = {t["title"]: t["id"] for q in ("fjara", "evening") for t in self.fetch_json(f"/api/v1/search?q={q}")["tracks"]}
        created = self.fetch_json("/api/v1/playlists", "POST", {"name": "E2E to Spotify", "trackIds": [found["Fjara"], found["Evening"]]})
        self.go(f"/playlist/{created['id']}")
        result = tid("spotify-export-result")
        self.click(tid("playlist-export-spotify"), "the Export to Spotify button")

        def done(_: Any) -> dict[str, Any] | bool:
            state = self.attr(result, "data-state")
            if state == "failed":
                raise StepFailure(f"spotifyexport: {self.text_of(result)!r}")
            return json.loads(self.attr(result, "data-result")) if state == "done" else False
        answer = self.until(done, "the export's summary", timeout=60)
        missing = [e.text for e in self.all(tid("spotify-export-missing-track"))]
        if answer.get("added") != 1 or [t.get("title") for t in answer.get("notFound", [])] != ["Evening"]:
            raise StepFailure(f"spotifyexport: the export answered {answer}")
        if not missing or not missing[0].startswith("Evening"):
            raise StepFailure(f"spotifyexport: the page lists {missing} as not found on Spotify")
        if not self.text_of(tid("spotify-export-summary")).startswith("Exported to Spotify: 1 track added, 1 not found there."):
            raise StepFailure(f"spotifyexport: the page says {self.text_of(tid('spotify-export-summary'))!r}")
        self.until(lambda _: self.js("return getComputedStyle(document.getElementById('status')).opacity === '0'"),
                   "the status message to fade", timeout=10)
        self.shot("spotify-export")

    # MARK: - Plans

    LISTENER = ("e2e-listener", "listener-password-1")

    def sign_out_in(self, username: str, password: str) -> None:
        """Signs out through the navigation, then in as username."""
        self.driver.set_window_size(1280, 900)
        self.js("window.e2eBeforeSignOut = true")
        self.click(tid("logout"), "the Sign out button")
        # Signing out reloads the page: wait for the new one's form (not the old page's, on its way out).
        def reloaded(_: Any) -> bool:
            try:
                return self.js("return !window.e2eBeforeSignOut && document.readyState === 'complete'")
            except WebDriverException:
                return False  # between the pages
        self.until(reloaded, "the page to reload after signing out")
        user = self.visible(tid("login-username"), "the login form after signing out")
        user.send_keys(username)
        self.find(tid("login-password")).send_keys(password)
        self.find(tid("login-submit")).click()
        self.until(lambda _: self.js("return !document.getElementById('app').hidden"), f"the app to show for {username}")
        self.wait_view()

    def plans(self) -> None:
        self.driver.set_window_size(1280, 900)
        section = tid("admin-plans")
        username, password = self.LISTENER
        original_free = next(p for p in self.fetch_json("/api/v1/plans")["items"] if p["id"] == "free")
        users = self.fetch_json("/api/v1/admin/users")["items"]
        listener = next((u for u in users if u["username"] == username), None)
        if listener is None:
            created = self.fetch_json("/api/v1/admin/users", "POST", {"username": username, "password": password, "role": "user"})
            listener = created.get("user", created)
        try:
            self.go("/admin")
            self.visible(section, "the Plans section")

            def fill_in(selector: str, value: str) -> None:
                element = self.visible(tid(selector))
                element.clear()
                element.send_keys(value)

            # A Family plan, added through the form.
            fill_in("plan-id", "family")
            fill_in("plan-name", "Family")
            fill_in("plan-price-input", "3.00")
            fill_in("plan-currency", "EUR")
            Select(self.find(tid("plan-interval"))).select_by_value("month")
            self.click(tid("plan-save"))
            family_row = f'{tid("plan-row")}[data-plan-id="family"]'
            self.visible(family_row, "the Family plan in the Plans table")
            price = self.text_of(f'{family_row} {tid("plan-price")}')
            if "3.00" not in price or "month" not in price:
                raise StepFailure(f"plans: the Family plan's price reads {price!r}")

            # Free limited: no downloads, no share links (through Edit).
            free_row = f'{tid("plan-row")}[data-plan-id="free"]'
            self.click(f'{free_row} {tid("plan-edit")}', "Edit on the Free plan")
            for box in ("plan-downloads-check", "plan-shares-check"):
                element = self.find(tid(box))
                if element.is_selected():
                    self.js("arguments[0].click()", element)
            self.click(tid("plan-save"))
            self.until(lambda _: self.text_of(f'{free_row} {tid("plan-downloads")}') == "no"
                       and self.text_of(f'{free_row} {tid("plan-shares")}') == "no", "Free to show no downloads and no share links")
            api_free = next(p for p in self.fetch_json("/api/v1/plans")["items"] if p["id"] == "free")
            if api_free["entitlements"]["downloads"] or api_free["entitlements"]["shares"]:
                raise StepFailure(f"plans: the API's free plan is {api_free}")
            if len(self.all(tid("plan-row"))) < 2:
                raise StepFailure("plans: the Plans table does not list both plans")

            # Family given to the listener by hand, for cash.
            self.until(lambda _: self.find(f'{tid("give-user")} option[value="{listener["id"]}"]') is not None,
                       "the listener in the Give a plan list")
            Select(self.find(tid("give-user"))).select_by_value(listener["id"])
            Select(self.find(tid("give-plan"))).select_by_value("family")
            fill_in("give-note", "cash")
            fill_in("give-amount", "3.00")
            self.click(tid("give-submit"))
            cash_row = self.until(lambda _: next((r for r in self.all(tid("ledger-row"))
                                                   if self.fresh(lambda: "cash" in r.text and "3.00" in r.text)), False),
                                  "the cash payment in the ledger")
            if "€" not in cash_row.text:
                raise StepFailure(f"plans: the ledger line reads {cash_row.text!r}")
            months = self.fetch_json("/api/v1/admin/ledger")["months"]
            month = next((m for m in months if m["currency"] == "EUR"), None)
            if month is None or month["amountMinor"] != 300:
                raise StepFailure(f"plans: the API's monthly totals are {months}")
            total = self.text_of(f'{tid("ledger-month")}[data-month="{month["month"]}"] {tid("ledger-month-total")}')
            if "3.00" not in total or "€" not in total:
                raise StepFailure(f"plans: the month {month['month']} shows the total {total!r}")
            mine = self.fetch_json("/api/v1/me/plan")
            print(f"     ledger: {cash_row.text!r}; {month['month']} total {total!r}; the admin's plan {mine['plan']['id']}", flush=True)
            self.until(lambda _: self.js("return getComputedStyle(document.getElementById('status')).opacity === '0'"),
                       "the status message to fade", timeout=10)
            self.scroll_to(section)
            self.shot("plans-admin")
            self.scroll_to(tid("give-plan-form"))
            self.shot("plans-ledger")

            # The listener sees their plan, the others, and the payment.
            self.sign_out_in(username, password)
            self.go("/profile")
            self.visible(tid("my-plan"), "Your plan on the profile")
            if self.text_of(tid("my-plan-name")) != "Family":
                raise StepFailure(f"plans: the listener's plan reads {self.text_of(tid('my-plan-name'))!r}")
            grants = self.text_of(tid("my-plan-grants"))
            if "Downloads: yes" not in grants or "Share links: yes" not in grants:
                raise StepFailure(f"plans: Family grants {grants!r}")
            others = [e.get_attribute("data-plan-id") for e in self.all(tid("other-plan"))]
            if "free" not in others:
                raise StepFailure(f"plans: the other plans listed are {others}")
            free_card = self.text_of(f'{tid("other-plan")}[data-plan-id="free"]')
            if "Downloads: no" not in free_card or "Share links: no" not in free_card:
                raise StepFailure(f"plans: the Free card reads {free_card!r}")
            if "Ask an admin" not in self.text_of(tid("plan-ask-admin")):
                raise StepFailure("plans: no word on how to change plan")
            payments = [e.text for e in self.all(tid("my-ledger-row"))]
            if not any("cash" in p and "3.00" in p for p in payments):
                raise StepFailure(f"plans: the listener's payments read {payments}")
            csv = self.fetch_text(self.attr(tid("my-ledger-csv"), "href"))
            if csv["status"] != 200 or "cash" not in csv["body"]:
                raise StepFailure(f"plans: the payments CSV answered {csv['status']}: {csv['body'][:200]}")
            self.scroll_to(tid("my-plan"))
            self.shot("plans-profile")
            self.fits_phone(tid("my-plan"), "plans-phone")
        finally:
            self.back_as_admin()
            # Free as it was, with downloads and share links (later steps and checks may use them).
            entitlements = {"maxBitrate": None, "concurrentStreams": None, "originalFiles": True,
                            "apiKeys": None, "storageKB": None, "libraries": None,
                            **original_free.get("entitlements", {}), "downloads": True, "shares": True}
            self.fetch_json("/api/v1/admin/plans/free", "PUT", {
                **{k: original_free[k] for k in ("name", "priceMinor", "currency", "interval", "trialDays")},
                "entitlements": entitlements})

    def back_as_admin(self) -> None:
        """Signs in as the admin again, wherever the plans step stopped."""
        self.driver.set_window_size(1280, 900)
        form = self.find(tid("login-username"))
        if form is not None and form.is_displayed():
            form.send_keys(self.args.username)
            self.find(tid("login-password")).send_keys(self.args.password)
            self.find(tid("login-submit")).click()
            self.until(lambda _: self.js("return !document.getElementById('app').hidden"), "the app to show for the admin")
            self.wait_view()
        elif self.fetch_json("/api/v1/me").get("username") != self.args.username:
            self.sign_out_in(self.args.username, self.args.password)

    # MARK: - Plan limits: API keys, uploads, libraries

    KEEPER = ("e2e-keeper", "keeper-password-1")
    # A 1×1 PNG (the server looks at the first bytes only; what follows IEND pads it out).
    PIXEL = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")

    def offer_for(self, allows: Callable[[dict[str, Any]], bool]) -> str | None:
        """The plan the server names in a refusal: the cheapest (then by name) whose entitlements allow it."""
        offers = sorted((p for p in self.fetch_json("/api/v1/plans")["items"] if allows(p.get("entitlements", {}))),
                        key=lambda p: (p["priceMinor"], p["name"]))
        return offers[0]["name"] if offers else None

    def refusal_shown(self, selector: str, offer: str | None, what: str) -> str:
        """Waits for a plan's refusal by the form (selector): it names the offer (or says to ask an admin),
        links to the listener's plan, and is said in the toast as a plan notice."""
        notice = self.until(lambda _: (lambda e: e.text if e is not None and e.is_displayed() and e.text else False)(
            self.fresh(lambda: self.find(selector))), f"the notice that the plan refuses {what}")
        expected = f"with the {offer} plan" if offer else "ask an admin"
        if expected not in notice or "See your plan" not in notice:
            raise StepFailure(f"planlimits: the notice for {what} reads {notice!r} (expected {expected!r})")
        toast = self.find("#status")
        if "plan" not in (toast.get_attribute("class") or "").split():
            raise StepFailure(f"planlimits: the toast for {what} is not a plan notice: {toast.get_attribute('class')!r}")
        return notice

    def planlimits(self) -> None:
        self.back_as_admin()
        self.driver.set_window_size(1280, 900)
        username, password = self.KEEPER
        original_free = next(p for p in self.fetch_json("/api/v1/plans")["items"] if p["id"] == "free")
        libraries = self.fetch_json("/api/v1/admin/libraries")["items"]
        if not libraries:
            raise StepFailure("planlimits: the server has no library")
        library = libraries[0]
        users = self.fetch_json("/api/v1/admin/users")["items"]
        if not any(u["username"] == username for u in users):
            self.fetch_json("/api/v1/admin/users", "POST", {"username": username, "password": password, "role": "user"})
        free_row = f'{tid("plan-row")}[data-plan-id="free"]'
        try:
            self.go("/admin")
            self.visible(tid("admin-plans"), "the Plans section")

            def fill_in(selector: str, value: str) -> None:
                element = self.visible(tid(selector))
                element.clear()
                element.send_keys(value)

            def library_boxes() -> dict[str, bool]:
                return {box.get_attribute("data-library-id"): box.is_selected()
                        for box in self.all(f'{tid("plan-libraries")} input[type="checkbox"]')}

            # Free limited through the form: 1 API key, 1 MB of uploads, the first library.
            self.click(f'{free_row} {tid("plan-edit")}', "Edit on the Free plan")
            fill_in("plan-apikeys", "1")
            fill_in("plan-storage", "1")
            Select(self.find(tid("plan-storage-unit"))).select_by_value("MB")
            boxes = library_boxes()
            if set(boxes) != {l["id"] for l in libraries}:
                raise StepFailure(f"planlimits: the form's libraries are {boxes}, the server's {[l['id'] for l in libraries]}")
            for box in self.all(f'{tid("plan-libraries")} input[type="checkbox"]'):
                if box.is_selected() != (box.get_attribute("data-library-id") == library["id"]):
                    self.js("arguments[0].click()", box)
            self.click(tid("plan-save"))
            expected = ("API keys: 1", "Uploads: 1 MB", f"Libraries: {library['name']}")
            limits = self.until(lambda _: (lambda t: t if all(w in t for w in expected) else False)(
                self.text_of(f'{free_row} {tid("plan-limits")}')), f"the Plans table to show {expected} for Free")
            api_free = next(p for p in self.fetch_json("/api/v1/plans")["items"] if p["id"] == "free")["entitlements"]
            if api_free.get("apiKeys") != 1 or api_free.get("storageKB") != 1024 or api_free.get("libraries") != [library["id"]]:
                raise StepFailure(f"planlimits: the API's free plan grants {api_free}")

            # Edit fills them back in.
            self.click(f'{free_row} {tid("plan-edit")}', "Edit on the Free plan again")
            shown = {"apiKeys": self.attr(tid("plan-apikeys"), "value"), "storage": self.attr(tid("plan-storage"), "value"),
                     "unit": self.attr(tid("plan-storage-unit"), "value"), "libraries": library_boxes()}
            wanted = {"apiKeys": "1", "storage": "1", "unit": "MB",
                      "libraries": {l["id"]: l["id"] == library["id"] for l in libraries}}
            if shown != wanted:
                raise StepFailure(f"planlimits: Edit shows {shown}, expected {wanted}")
            self.shot("planlimits-form")
            self.click(tid("plan-cancel"))
            print(f"     Free: {limits!r}", flush=True)
            key_offer = self.offer_for(lambda e: e.get("apiKeys") is None or e["apiKeys"] > 1)
            room_offer = self.offer_for(lambda e: e.get("storageKB") is None or e["storageKB"] >= 1200)

            # The listener on Free sees the limits in "Your plan" and by the API keys.
            self.sign_out_in(username, password)
            self.go("/profile")
            self.visible(tid("my-plan"), "Your plan on the profile")
            if self.text_of(tid("my-plan-name")) != "Free":
                raise StepFailure(f"planlimits: the new listener's plan reads {self.text_of(tid('my-plan-name'))!r}")
            grants = self.text_of(tid("my-plan-grants"))
            if not all(w in grants for w in expected):
                raise StepFailure(f"planlimits: Your plan grants {grants!r}, expected {expected}")
            limit = self.text_of(tid("key-plan-limit"))
            if "allows 1 API key" not in limit:
                raise StepFailure(f"planlimits: the API keys say {limit!r}")

            # The first key is made; a second is refused, with the plan that allows more.
            if not self.all(tid("key-row")):
                fill_in("key-name", "E2E phone")
                self.click(tid("key-create"))
                self.visible(tid("secret-dialog"), "the new key's dialog")
                self.click(f'{tid("secret-dialog")} button[aria-label="Close"]')
                self.until(lambda _: self.find(tid("secret-dialog")) is None, "the key's dialog to close")
                self.until(lambda _: len(self.all(tid("key-row"))) == 1, "the key in the table")
            held = len(self.fetch_json("/api/v1/me/api-keys")["items"])
            if held != 1:
                raise StepFailure(f"planlimits: the listener holds {held} API keys")
            fill_in("key-name", "E2E tablet")
            self.click(tid("key-create"))
            said = self.refusal_shown(tid("key-plan-notice"), key_offer, "a second API key")
            if "API key" not in said or self.find(tid("secret-dialog")) is not None or len(self.all(tid("key-row"))) != 1:
                raise StepFailure(f"planlimits: after the refusal ({said!r}) the keys are {[r.text for r in self.all(tid('key-row'))]}")
            print(f"     key refused: {said!r}", flush=True)
            self.scroll_to(tid("key-plan-limit"))
            self.shot("planlimits-key")

            with tempfile.TemporaryDirectory(prefix="canto-e2e-limits-") as folder:
                # An avatar of 1.1 MB: more than the plan's room.
                avatar = Path(folder) / "avatar.png"
                avatar.write_bytes(self.PIXEL + bytes(1100 * 1024))
                self.find(tid("avatar-file")).send_keys(str(avatar))
                said = self.refusal_shown(tid("avatar-plan-notice"), room_offer, "a 1.1 MB avatar")
                if "1024 KiB" not in said:
                    raise StepFailure(f"planlimits: the avatar's refusal reads {said!r}")
                print(f"     avatar refused: {said!r}", flush=True)

                # An M3U file of 1.1 MB, likewise.
                playlist = Path(folder) / "big.m3u"
                playlist.write_text("#EXTM3U\n" + "# padding the playlist out past the plan's room\n" * 24_000, encoding="utf-8")
                self.go("/playlists")
                before = len(self.fetch_json("/api/v1/playlists")["items"])
                self.find(tid("m3u-file")).send_keys(str(playlist))
                self.click(tid("m3u-import"))
                said = self.refusal_shown(tid("m3u-plan-notice"), room_offer, "a 1.1 MB M3U import")
                if "1024 KiB" not in said or len(self.fetch_json("/api/v1/playlists")["items"]) != before:
                    raise StepFailure(f"planlimits: the import's refusal reads {said!r}")
                print(f"     import refused: {said!r}", flush=True)
                self.scroll_to(tid("m3u-plan-notice"))
                self.shot("planlimits-import")
        finally:
            self.back_as_admin()
            self.fetch_json("/api/v1/admin/plans/free", "PUT", {
                **{k: original_free[k] for k in ("name", "priceMinor", "currency", "interval", "trialDays")},
                "entitlements": {"maxBitrate": None, "concurrentStreams": None, "originalFiles": True, "downloads": True,
                                 "shares": True, "apiKeys": None, "storageKB": None, "libraries": None,
                                 **original_free.get("entitlements", {})}})

    # MARK: - Stripe (against the Swift test's fake Stripe)

    PAYER = ("e2e-payer", "payer-password-1")
    LIMITED = {"maxBitrate": 128, "originalFiles": False, "downloads": False}
    EVERYTHING = {"maxBitrate": None, "originalFiles": True, "downloads": True, "shares": True, "concurrentStreams": None}

    def put_plan(self, plan: dict[str, Any], entitlements: dict[str, Any]) -> None:
        self.fetch_json(f"/api/v1/admin/plans/{plan['id']}", "PUT", {
            **{k: plan[k] for k in ("name", "priceMinor", "currency", "interval", "trialDays")},
            "entitlements": {**self.EVERYTHING, **plan.get("entitlements", {}), **entitlements}})

    def stream_check(self, title: str) -> dict[str, Any]:
        """What the player's <audio> plays, asked again at its own URL (through the browser's cache, as the
        player is) for the first 4 KiB: the status, the
        size (Content-Range), the kbit/s that size makes over the track's length, and whether the bytes
        start with the file's ID3 tag naming `title`. An original file has its tags and its own bitrate; a
        transcode (live, or a finished one from the cache, which also answers ranges with an ETag) has
        neither: the server writes no tags and encodes at the plan's cap."""
        src = self.audio()["src"]
        if "/api/v1/tracks/" not in src:
            raise StepFailure(f"{self.step_name}: the player's audio src is {src!r}")
        answer = self.driver.execute_async_script(
            """const [src, title, done] = arguments;
            const controller = new AbortController();
            (async () => {
              const r = await fetch(src, {credentials: 'same-origin', headers: {Range: 'bytes=0-4095'}, signal: controller.signal});
              const reader = r.body.getReader();
              let text = '';
              while (text.length < 4096) {
                const {done: end, value} = await reader.read();
                if (end) break;
                text += Array.from(value, (b) => String.fromCharCode(b)).join('');
              }
              controller.abort();
              done({status: r.status, etag: r.headers.get('ETag'), type: r.headers.get('Content-Type'),
                    range: r.headers.get('Content-Range'), tagged: text.startsWith('ID3') && text.includes(title)});
            })().catch((e) => done({status: 0, error: String(e)}));""", src, title)
        total = (answer.get("range") or "").rpartition("/")[2]
        duration_ms = self.fetch_json(f"/api/v1/tracks/{self.current_id()}").get("durationMs", 0) if total.isdigit() else 0
        answer["kbps"] = round(int(total) * 8 / duration_ms) if duration_ms else None
        answer["src"] = src
        return answer

    def play_from_album(self, title: str, index: int) -> tuple[str, str]:
        """Plays the album's track at `index` from its page; waits until the audio element plays past 1 s.
        Answers the track's ID and title."""
        album = self.album_named(title)
        self.go(f"/album/{album['id']}")
        rows = self.until(lambda _: (lambda r: r if len(r) > index else False)(self.all(tid("track-row"))),
                          f"the tracks of {title}")
        row = rows[index]
        track = row.get_attribute("data-track-id")
        name = self.find(tid("track-title"), row).text
        button = row.find_element(By.CSS_SELECTOR, tid("play-button"))
        self.js("arguments[0].scrollIntoView({block: 'center'})", button)
        button.click()
        try:
            WebDriverWait(self.driver, 20, poll_frequency=0.2).until(
                lambda _: self.current_id() == track and (lambda a: a["time"] > 1.0 and not a["paused"])(self.audio()))
        except TimeoutException:
            raise StepFailure(f"{self.step_name}: the player did not play {track} past 1 s: {self.audio()}") from None
        return track, name

    def until_app(self, what: str, timeout: float = 30) -> None:
        """Waits until the browser is back on the app's origin, signed in, with its page drawn."""
        def back(_: Any) -> bool:
            try:
                return self.driver.current_url.startswith(self.base + "/") and bool(self.js(
                    "return document.readyState === 'complete' && !!document.getElementById('app') && !document.getElementById('app').hidden"))
            except WebDriverException:
                return False  # between the pages
        self.until(back, what, timeout)
        self.wait_view()

    def stripe(self) -> None:
        self.back_as_admin()
        username, password = self.PAYER
        page = self.fetch_json("/api/v1/plans")
        if "stripe" not in page.get("providers", []):
            raise StepFailure(f"stripe: the Stripe plugin is not running (providers {page.get('providers')})")
        # Free limited; any plan that plays the original files for less than Premium is limited too for the
        # step (the plans step's Family would otherwise be the plan the player names).
        changed = [p for p in page["items"] if p["id"] != "premium" and p["priceMinor"] < 499
                   and p["entitlements"].get("originalFiles") and p["entitlements"].get("maxBitrate") is None]
        users = self.fetch_json("/api/v1/admin/users")["items"]
        payer = next((u for u in users if u["username"] == username), None)
        try:
            for plan in changed:
                self.put_plan(plan, self.LIMITED)
            self.fetch_json("/api/v1/admin/plans/premium", "PUT", {
                "name": "Premium", "priceMinor": 499, "currency": "EUR", "interval": "month", "trialDays": 0,
                "entitlements": self.EVERYTHING})
            if payer is None:
                created = self.fetch_json("/api/v1/admin/users", "POST", {"username": username, "password": password, "role": "user"})
                payer = created.get("user", created)

            # A new listener on Free plays a track: a transcode at 128 kbit/s, and the player says so.
            self.sign_out_in(username, password)
            _, first = self.play_from_album("Morning Light", 0)
            chip = self.visible(tid("player-quality"), "the plan's cap in the player bar")
            if "128" not in chip.text or "Premium" not in (chip.get_attribute("aria-label") or ""):
                raise StepFailure(f"stripe: the player's cap reads {chip.text!r} ({chip.get_attribute('aria-label')!r})")
            said = self.until(lambda _: (lambda t: t if "Premium" in t and "128 kbit/s" in t else False)(
                self.find("#status").get_attribute("textContent") or ""), "the player to say original quality comes with Premium")
            if "plan" not in (self.find("#status").get_attribute("class") or ""):
                raise StepFailure("stripe: the plan notice is not shown as one")
            stream = self.stream_check(first)
            if stream["status"] not in (200, 206) or stream["tagged"] or (stream["kbps"] or 128) < 120:
                raise StepFailure(f"stripe: a Free listener's stream should be a transcode at 128 kbit/s: {stream}")
            print(f"     limit: {said!r}; the stream {stream}", flush=True)
            free_variant = stream["src"].partition("?")[2]
            self.shot("stripe-limit")

            # The cap leads to the profile, where Premium can be bought through Stripe.
            self.click(tid("player-quality"))
            self.wait_view()
            if self.js("return location.hash") != "#/profile":
                raise StepFailure(f"stripe: the cap led to {self.js('return location.hash')!r}")
            upgrade = f'{tid("plan-upgrade")}[data-plan-id="premium"][data-provider="stripe"]'
            button = self.visible(upgrade, "Upgrade with Stripe on the Premium plan")
            if button.text != "Upgrade with Stripe":
                raise StepFailure(f"stripe: the upgrade button reads {button.text!r}")
            if self.find(tid("plan-ask-admin")) is not None:
                raise StepFailure("stripe: the profile still says to ask an admin while Stripe runs")
            if self.text_of(tid("my-plan-name")) != "Free":
                raise StepFailure(f"stripe: the new listener's plan reads {self.text_of(tid('my-plan-name'))!r}")
            self.scroll_to(tid("my-plan"))
            self.shot("stripe-plans")
            self.fits_phone(tid("my-plan"), "stripe-plans-phone")

            # Stripe's hosted checkout (the fake's page, on its own origin), paid with the test card.
            self.click(upgrade)
            self.until(lambda _: "/c/pay/cs_" in self.driver.current_url, "the browser to reach Stripe's checkout page")
            self.visible("#pay", "the checkout page's Pay button")
            price = self.driver.find_element(By.ID, "price").text
            card = self.driver.find_element(By.ID, "card").get_attribute("value")
            if "4.99" not in price or "EUR" not in price or "4242" not in card:
                raise StepFailure(f"stripe: the checkout page shows {price!r}, card {card!r}")
            checkout = self.driver.current_url
            self.shot("stripe-checkout")
            self.driver.find_element(By.ID, "pay").click()

            # Back in the app: the payment is confirmed and the profile shows Premium.
            self.until_app("the browser to come back from the checkout")
            notice = self.until(lambda _: (lambda t: t if "Payment received" in t else False)(self.text_of(tid("plan-return-notice"))),
                                "the profile to say the payment arrived", timeout=25)
            if "Premium" not in notice:
                raise StepFailure(f"stripe: the return notice reads {notice!r}")
            self.until(lambda _: self.text_of(tid("my-plan-name")) == "Premium", "the profile to show Premium")
            if self.js("return location.hash") != "#/profile":
                raise StepFailure(f"stripe: the address after the return is {self.js('return location.href')!r}")
            mine = self.fetch_json("/api/v1/me/plan")
            if mine["plan"]["id"] != "premium" or mine["provider"] != "stripe" or mine["status"] != "active":
                raise StepFailure(f"stripe: the API says the listener's plan is {mine}")
            dates = self.text_of(tid("my-plan-dates"))
            if "Stripe" not in dates or "Renews on" not in dates:
                raise StepFailure(f"stripe: the plan's standing reads {dates!r}")
            self.visible(tid("plan-manage"), "Manage payment")
            print(f"     checkout {checkout}; back: {notice!r}; {dates!r}", flush=True)
            self.scroll_to(tid("my-plan"))
            self.shot("stripe-profile")
            self.fits_phone(tid("my-plan"), "stripe-profile-phone")

            # Manage payment opens Stripe's portal; its Return comes back to the profile.
            self.click(tid("plan-manage"))
            self.until(lambda _: "/p/session/" in self.driver.current_url, "the browser to reach Stripe's portal")
            portal = self.visible("body", "the portal page").text
            if "Premium: active" not in portal:
                raise StepFailure(f"stripe: the portal shows {portal!r}")
            self.driver.find_element(By.ID, "back").click()
            self.until_app("the browser to come back from the portal")
            self.until(lambda _: self.js("return location.hash") == "#/profile", "the address to go back to #/profile")
            if self.text_of(tid("my-plan-name")) != "Premium":
                raise StepFailure(f"stripe: after the portal the plan reads {self.text_of(tid('my-plan-name'))!r}")

            # Now the player plays the original file, and says nothing of a cap.
            track, second = self.play_from_album("Morning Light", 1)
            stream = self.stream_check(second)
            bitrate = self.fetch_json(f"/api/v1/tracks/{track}").get("bitRate", 0)
            if stream["status"] != 206 or not stream["tagged"] or not stream["kbps"] or abs(stream["kbps"] - bitrate) > 16:
                raise StepFailure(f"stripe: a Premium listener's stream should be the original file ({bitrate} kbit/s): {stream}")
            if self.find(tid("player-quality")).is_displayed():
                raise StepFailure(f"stripe: the player still shows a cap: {self.find(tid('player-quality')).text!r}")
            if stream["src"].partition("?")[2] == free_variant:
                raise StepFailure(f"stripe: the stream URL did not change with the plan ({free_variant!r}): the browser's "
                                  "cache could replay the Free stream")
            print(f"     original: {stream}", flush=True)

            # The admin sees the payment in the ledger.
            self.back_as_admin()
            self.go("/admin")
            self.visible(tid("admin-plans"), "the Plans section")
            row = self.until(lambda _: next((r for r in self.all(tid("ledger-row"))
                                             if self.fresh(lambda: "4.99" in r.text and "stripe" in r.text and username in r.text)), False),
                             "the Stripe payment in the admin's ledger")
            lines = self.fetch_json("/api/v1/admin/ledger")["items"]
            if not any(line["provider"] == "stripe" and line["amountMinor"] == 499 and line["kind"] == "payment"
                       and line["userId"] == payer["id"] for line in lines):
                raise StepFailure(f"stripe: the API's ledger has no 4.99 payment through stripe: {lines[:5]}")
            print(f"     ledger: {row.text!r}", flush=True)
            self.scroll_to(tid("admin-ledger-box"))
            self.shot("stripe-ledger")
        finally:
            self.back_as_admin()
            for plan in changed:
                self.put_plan(plan, plan["entitlements"])

    # MARK: - Smart playlists

    def smart_rule(self, index: int) -> WebElement:
        """The editor's rule at index (in document order), found again after the editor redraws."""
        return self.until(lambda _: (lambda r: r[index] if len(r) > index else False)(self.all(tid("smart-rule"))),
                          f"rule {index + 1} in the editor")

    def smart_set(self, index: int, field: str | None = None, operator: str | None = None, value: str | None = None) -> None:
        """Sets the field, the comparison and the (first) value of the editor's rule at index, as a listener would."""
        if field is not None:
            Select(self.find(tid("smart-field"), self.smart_rule(index))).select_by_value(field)
            self.until(lambda _: self.fresh(lambda: self.smart_rule(index).get_attribute("data-field") == field),
                       f"rule {index + 1} to read {field}")
        if operator is not None:
            Select(self.find(tid("smart-operator"), self.smart_rule(index))).select_by_value(operator)
            self.until(lambda _: self.fresh(lambda: self.smart_rule(index).get_attribute("data-operator") == operator),
                       f"rule {index + 1} to compare with {operator}")
        if value is not None:
            box = self.find(tid("smart-value"), self.smart_rule(index))
            box.clear()
            box.send_keys(value)

    def smart_count(self, expected: int) -> str:
        """Waits until the editor's live count settles on expected; answers its text."""
        def settled(_: Any) -> str | bool:
            count = self.find(tid("smart-count"))
            if count is None or count.get_attribute("aria-busy") == "true":
                return False
            return count.text if count.get_attribute("data-count") == str(expected) else False
        try:
            return self.until(settled, f"the live count to say {expected}")
        except StepFailure:
            raise StepFailure(f"smartplaylist: the live count reads {self.text_of(tid('smart-count'))!r} "
                              f"({self.text_of(tid('smart-error'))!r}), the API's preview says {expected}") from None

    def playlist_titles(self) -> list[str]:
        return [self.find(tid("track-title"), row).text for row in self.all(tid("track-row"))]

    def open_playlist(self, playlist_id: str, name: str) -> list[str]:
        """Opens the playlist's page afresh (as from the list) and answers its track titles in order."""
        self.go("/playlists")
        link = self.visible(f'{tid("playlist-row")}[data-playlist-id="{playlist_id}"] {tid("playlist-link")}', f"{name} in the list")
        link.click()
        self.until(lambda _: self.js("return location.hash") == f"#/playlist/{playlist_id}", f"the page of {name}")
        self.wait_view()
        self.until(lambda _: self.text_of(tid("playlist-title")) == name, f"the title {name}")
        return self.playlist_titles()

    def smartplaylist(self) -> None:
        self.back_as_admin()
        stamp = int(time.time())
        name = f"E2E smart {stamp}"
        rules = {"all": [{"lt": {"year": 2020}}, {"any": [{"is": {"genre": "Jazz"}}, {"contains": {"title": "Lan"}}]}],
                 "sort": "title", "order": "asc"}
        preview = self.fetch_json("/api/v1/smart-playlists/preview", "POST", {"rules": rules})
        expected = sorted(t["title"] for t in preview["tracks"])
        if preview["count"] != len(expected) or expected != ["Aurora", "Crystal Lullaby", "Daybreak", "Evening", "Lantern"]:
            raise StepFailure(f"smartplaylist: the API's preview of the rules is {preview['count']}: {expected}")

        # The editor: year < 2020, and a nested "any" group (genre is Jazz, or the title contains "Lan"), by title.
        self.go("/playlists")
        self.click(tid("smart-new"))
        editor = self.visible(tid("smart-editor"), "the smart playlist editor")
        self.find(tid("smart-name"), editor).send_keys(name)
        self.smart_set(0, field="year", operator="lt")
        error = self.until(lambda _: (lambda t: t if "year" in t else False)(self.text_of(tid("smart-error"))),
                           "the server's word on a year without a number")
        self.smart_set(0, value="2020")
        self.until(lambda _: self.text_of(tid("smart-error")) == "", "the message to go once the year is a number")
        self.click(f'{tid("smart-group")}[data-depth="1"] > .row > {tid("smart-add-group")}', "Add group")
        nested = self.visible(f'{tid("smart-group")}[data-depth="2"]', "the nested group")
        if nested.get_attribute("data-mode") != "any":
            raise StepFailure(f"smartplaylist: a group added under 'all' is {nested.get_attribute('data-mode')!r}, not 'any'")
        # Its toggle: all, then any again.
        for mode in ("all", "any"):
            Select(self.find(tid("smart-mode"), nested)).select_by_value(mode)
            self.until(lambda _: self.attr(f'{tid("smart-group")}[data-depth="2"]', "data-mode") == mode, f"the group to match {mode}")
        self.smart_set(1, field="genre", operator="is", value="Jazz")
        self.click(f'{tid("smart-group")}[data-depth="2"] > .row > {tid("smart-add-rule")}', "Add rule in the nested group")
        self.smart_set(2, field="title", operator="contains", value="Lan")
        Select(self.find(tid("smart-sort"))).select_by_value("title")
        Select(self.find(tid("smart-order"))).select_by_value("asc")
        said = self.smart_count(preview["count"])
        operators = [Select(self.find(tid("smart-operator"), rule)).options for rule in self.all(tid("smart-rule"))[:1]]
        offered = [o.get_attribute("value") for o in operators[0]]
        if offered != ["is", "isNot", "gt", "lt", "inTheRange"]:
            raise StepFailure(f"smartplaylist: a number field offers {offered}")
        print(f"     the live count: {said!r} (the API's preview: {preview['count']}); a year without a number: {error!r}", flush=True)
        self.shot("smart-editor")
        self.fits_phone(tid("smart-editor"), "smart-editor-phone")
        self.click(tid("smart-save"))
        self.until(lambda _: self.js("return location.hash").startswith("#/playlist/"), "the new smart playlist's page")
        self.wait_view()
        playlist_id = self.js("return location.hash.split('/')[2]")
        self.until(lambda _: self.text_of(tid("playlist-title")) == name, "the smart playlist's title")
        self.visible(tid("smart-badge"), "the Smart badge on its page")
        titles = self.playlist_titles()
        if titles != expected:
            raise StepFailure(f"smartplaylist: its page lists {titles}, the rules pick {expected}")
        for absent in ("playlist-edit", "playlist-move-up", "playlist-remove"):
            if self.find(tid(absent)) is not None:
                raise StepFailure(f"smartplaylist: the smart playlist's page offers {absent}")
        if self.find('[data-testid="track-row"][draggable="true"]') is not None:
            raise StepFailure("smartplaylist: the smart playlist's rows can be dragged")
        saved = self.fetch_json(f"/api/v1/smart-playlists/{playlist_id}")
        if {k: v for k, v in saved.items() if k not in ("name", "comment")} != rules:
            raise StepFailure(f"smartplaylist: the editor saved {saved}, expected {rules}")
        # Export .nsp: the link gives the rules as JSON, with the name.
        href = self.attr(tid("smart-export"), "href") or ""
        exported = self.fetch_text(href)
        nsp = json.loads(exported["body"]) if exported["status"] == 200 else {}
        if nsp.get("name") != name or nsp.get("all") != rules["all"]:
            raise StepFailure(f"smartplaylist: Export .nsp at {href} gave {exported['status']} {exported['body'][:200]}")
        self.shot("smart-playlist")

        # Loved: a second playlist picks Harbour only once it is starred; starring it in the UI brings it in.
        loved_name = f"E2E loved {stamp}"
        album = self.album_named("Night Songs")
        harbour = next(t for d in self.fetch_json(f"/api/v1/albums/{album['id']}")["discs"] for t in d["tracks"] if t["title"] == "Harbour")
        self.fetch_json(f"/api/v1/me/annotations/{harbour['id']}", "PUT", {"kind": "track", "starred": False})
        self.go("/playlists")
        self.click(tid("smart-new"))
        editor = self.visible(tid("smart-editor"), "the editor again")
        self.find(tid("smart-name"), editor).send_keys(loved_name)
        self.smart_set(0, field="title", operator="is", value="Harbour")
        self.click(f'{tid("smart-group")}[data-depth="1"] > .row > {tid("smart-add-rule")}', "Add rule")
        self.smart_set(1, field="loved", operator="is")
        box = self.find(tid("smart-value"), self.smart_rule(1))
        if box.get_attribute("type") != "checkbox" or not box.is_selected():
            raise StepFailure("smartplaylist: 'loved is' does not offer a ticked checkbox")
        self.smart_count(0)
        self.click(tid("smart-save"))
        self.until(lambda _: self.text_of(tid("playlist-title")) == loved_name, "the loved playlist's page")
        loved_id = self.js("return location.hash.split('/')[2]")
        if self.playlist_titles():
            raise StepFailure(f"smartplaylist: {loved_name} lists {self.playlist_titles()} before Harbour is starred")
        self.go(f"/album/{album['id']}")
        row = self.visible(f'{tid("track-row")}[data-track-id="{harbour["id"]}"]', "Harbour on its album page")
        star = row.find_element(By.CSS_SELECTOR, tid("star"))
        self.js("arguments[0].scrollIntoView({block: 'center'})", star)
        star.click()
        self.until(lambda _: self.fetch_json(f"/api/v1/tracks/{harbour['id']}").get("starred") is True, "Harbour to be starred")
        titles = self.open_playlist(loved_id, loved_name)
        if titles != ["Harbour"]:
            raise StepFailure(f"smartplaylist: after starring Harbour, {loved_name} lists {titles}")
        # Edit rules: the editor holds the two rules; a limit saved there reaches the server.
        self.click(tid("smart-edit"))
        self.visible(tid("smart-editor"), "the rules editor on the playlist's page")
        fields = [r.get_attribute("data-field") for r in self.all(tid("smart-rule"))]
        if fields != ["title", "loved"]:
            raise StepFailure(f"smartplaylist: Edit rules shows the fields {fields}")
        limit = self.find(tid("smart-limit"))
        limit.send_keys("5")
        self.smart_count(1)
        self.click(tid("smart-save"))
        self.until(lambda _: self.fetch_json(f"/api/v1/smart-playlists/{loved_id}").get("limit") == 5, "the limit to be saved")
        self.until(lambda _: self.find(tid("smart-editor")) is None, "the page to show the saved rules")
        self.fetch_json(f"/api/v1/me/annotations/{harbour['id']}", "PUT", {"kind": "track", "starred": False})

        # Import .nsp: a small file makes a smart playlist with as many tracks as its rules pick.
        small = {"name": f"E2E imported {stamp}", "comment": "from a file", "all": [{"is": {"genre": "Folk"}}]}
        folk = self.fetch_json("/api/v1/smart-playlists/preview", "POST", {"rules": small})["count"]
        path = Path(tempfile.gettempdir()) / f"e2e-{stamp}.nsp"
        path.write_text(json.dumps(small), encoding="utf-8")
        self.go("/playlists")
        self.find(tid("smart-import-file")).send_keys(str(path))
        self.click(tid("smart-import"))
        link = self.visible(tid("smart-import-link"), "the imported playlist's link")
        imported_id = link.get_attribute("data-playlist-id")
        item = next((p for p in self.fetch_json("/api/v1/playlists")["items"] if p["id"] == imported_id), None)
        if item is None or not item.get("smart") or item["trackCount"] != folk or folk != 4 or item["name"] != small["name"]:
            raise StepFailure(f"smartplaylist: the imported playlist is {item}; its rules pick {folk}")
        self.visible(f'{tid("playlist-row")}[data-playlist-id="{imported_id}"] {tid("smart-badge")}', "the Smart badge in the list")
        titles = self.open_playlist(imported_id, small["name"])
        if len(titles) != folk:
            raise StepFailure(f"smartplaylist: the imported playlist's page lists {titles}")
        print(f"     {name}: {titles and expected}; {loved_name}: Harbour once starred; imported: {folk} tracks", flush=True)
        self.go("/playlists")
        self.shot("smart-list")

    # MARK: - The player's sound: ReplayGain, gapless changes, crossfades

    def set_sound(self, mode: str | None = None, preamp: str | None = None, crossfade: str | None = None) -> None:
        """Sets the playback preferences on the preferences page (they apply at once, kept in the browser)."""
        self.go("/preferences")
        if mode is not None:
            Select(self.visible(tid("pref-replaygain"), "the ReplayGain select")).select_by_value(mode)
        for selector, value in ((tid("pref-preamp"), preamp), (tid("pref-crossfade"), crossfade)):
            if value is not None:
                box = self.visible(selector)
                box.clear()
                box.send_keys(value)
        want: dict[str, Any] = {"mode": mode} if mode is not None else {}
        want.update({k: float(v) for k, v in (("preampDb", preamp), ("crossfade", crossfade)) if v is not None})
        self.until(lambda _: (lambda now: all(now.get(k) == v for k, v in want.items()))(self.js("return window.cantoPlayer.sound()")),
                   f"the player to take {want}")
        stored = self.js("return localStorage.getItem('canto.replayGain')")
        if mode is not None and stored != mode:
            raise StepFailure(f"{self.step_name}: the browser keeps the ReplayGain mode {stored!r}, not {mode!r}")

    def pause_player(self) -> None:
        if self.find(tid("player-play")).get_attribute("aria-label") == "Pause":
            self.click(tid("player-play"))
        self.until(lambda _: self.audio()["paused"], "the player to pause")

    def play_titled(self, album_title: str, title: str) -> str:
        """Plays the album's track titled `title` from the album page; answers its ID."""
        album = self.album_named(album_title)
        self.go(f"/album/{album['id']}")
        self.until(lambda _: any(self.fresh(lambda: self.find(tid("track-title"), r).text == title) for r in self.all(tid("track-row"))),
                   f"{title} on the page of {album_title}")
        rows = self.all(tid("track-row"))
        index = next(i for i, r in enumerate(rows) if self.find(tid("track-title"), r).text == title)
        track, _ = self.play_from_album(album_title, index)
        return track

    def gain_is(self, expected: float, what: str) -> dict[str, Any]:
        """Waits until the playing element's gain node holds expected (±0.002); answers the player's gain info."""
        last: dict[str, Any] = {}

        def check(_: Any) -> bool:
            nonlocal last
            last = self.js("return window.cantoPlayer.gainInfo()") or {}
            return last.get("node") is not None and abs(last["node"] - expected) < 0.002
        try:
            self.until(check, what)
        except StepFailure:
            raise StepFailure(f"replaygain: {what}: the gain node holds {last.get('node')} (expected {expected:.4f}); {last}, "
                              f"audio context {self.js('return window.cantoPlayer.audioContext()')}") from None
        return last

    def replaygain(self) -> None:
        self.back_as_admin()
        self.driver.set_window_size(1280, 900)
        album = self.album_named("Night Songs")
        tracks = {t["title"]: t for d in self.fetch_json(f"/api/v1/albums/{album['id']}")["discs"] for t in d["tracks"]}
        lantern, harbour = tracks.get("Lantern", {}).get("replayGain"), tracks.get("Harbour", {}).get("replayGain")
        if (not lantern or lantern.get("trackGain") != -6 or lantern.get("trackPeak") != 0.5 or lantern.get("albumGain") != -8
                or not harbour or harbour.get("trackGain") != 3 or harbour.get("trackPeak") != 0.95 or harbour.get("albumGain") is not None):
            raise StepFailure(f"replaygain: the album's tracks carry Lantern {lantern}, Harbour {harbour}")
        if tracks.get("Tide", {}).get("replayGain") is not None:
            raise StepFailure(f"replaygain: the untagged Tide carries {tracks['Tide'].get('replayGain')}")

        # The computation itself (web/js/replaygain.js), in the browser.
        pure = self.driver.execute_async_script(
            """const done = arguments[arguments.length - 1];
            import('/js/replaygain.js').then(({replayGain}) => {
              const quiet = {trackGain: -6, trackPeak: 0.5, albumGain: -8, albumPeak: 0.5};
              const loud = {trackGain: 3, trackPeak: 0.95};
              done({
                track: replayGain(quiet, {mode: 'track'}).linear, album: replayGain(quiet, {mode: 'album'}).linear,
                loud: replayGain(loud, {mode: 'track'}), loudAlbum: replayGain(loud, {mode: 'album'}).linear,
                unlimited: replayGain(loud, {mode: 'track', preventClipping: false}).linear,
                preamp: replayGain(quiet, {mode: 'track', preampDb: 2}).linear, off: replayGain(quiet, {mode: 'off'}).linear,
                untagged: replayGain(null, {mode: 'track', preampDb: 6}).linear,
              });
            }).catch((e) => done({error: String(e)}));""")
        wanted = {"track": 10 ** (-6 / 20), "album": 10 ** (-8 / 20), "loudAlbum": 1 / 0.95, "unlimited": 10 ** (3 / 20),
                  "preamp": 10 ** (-4 / 20), "off": 1.0, "untagged": 1.0}
        wrong = {k: pure.get(k) for k, v in wanted.items() if not isinstance(pure.get(k), (int, float)) or abs(pure[k] - v) > 1e-6}
        loud = pure.get("loud") or {}
        if wrong or abs(loud.get("linear", 0) - 1 / 0.95) > 1e-6 or not loud.get("limited"):
            raise StepFailure(f"replaygain: replayGain() answers {pure}; wrong: {wrong}")

        # Track mode: the −6 dB track plays at 10^(−6/20), the +3 dB one held down by its peak 0.95 to 1/0.95.
        self.set_sound(mode="track", preamp="0", crossfade="0")
        self.play_titled("Night Songs", "Lantern")
        quiet = self.gain_is(10 ** (-6 / 20), "Lantern's gain in track mode")
        if self.js("return window.cantoPlayer.audioContext()") != "running":
            raise StepFailure(f"replaygain: the audio context is {self.js('return window.cantoPlayer.audioContext()')}")
        before = self.audio()["time"]
        self.until(lambda _: self.audio()["time"] > before + 0.5, "the audio to play on through the Web Audio graph")
        self.play_titled("Night Songs", "Harbour")
        loud_info = self.gain_is(1 / 0.95, "Harbour's gain, held down by its peak")
        if not loud_info.get("limited"):
            raise StepFailure(f"replaygain: Harbour's gain is not marked as held by its peak: {loud_info}")
        # Album mode: Lantern takes its album gain (−8 dB); Harbour, with no album gain, its track gain.
        self.set_sound(mode="album")
        self.gain_is(1 / 0.95, "Harbour's gain in album mode (its track gain)")
        now = self.text_of(tid("pref-gain-now"))
        if "Harbour" not in now or "track gain" not in now:
            raise StepFailure(f"replaygain: the preferences say {now!r} of the playing track")
        self.scroll_to(tid("pref-playback"))
        self.shot("replaygain-preferences")
        self.play_titled("Night Songs", "Lantern")
        album_info = self.gain_is(10 ** (-8 / 20), "Lantern's album gain")
        # A pre-amp adds to it; off plays every track as it is.
        self.set_sound(mode="track", preamp="2")
        self.gain_is(10 ** (-4 / 20), "Lantern with a +2 dB pre-amp")
        self.set_sound(mode="off", preamp="0")
        self.gain_is(1.0, "Lantern with ReplayGain off")
        print(f"     gain nodes: Lantern (track, −6 dB) {quiet['node']:.4f}, Harbour (+3 dB, peak 0.95) {loud_info['node']:.4f} "
              f"(not {10 ** (3 / 20):.4f}), Lantern (album, −8 dB) {album_info['node']:.4f}", flush=True)
        self.pause_player()

    def measure_change(self, seconds_before_end: float) -> dict[str, Any]:
        """Seeks the playing track to `seconds_before_end` before its end and times the change to the next track,
        in ms of performance.now(): by the events (the current element's `ended`, the next one's `playing`), and by
        the audio clocks (sampled every millisecond or so: when the current one's currentTime reaches its duration,
        and when the next one's was at 0, each extrapolated from its last or first sample while playing)."""
        self.js("""const first = document.getElementById('audio');
            const next = document.getElementById('audio-next');
            const g = window.e2eGap = {ended: null, playing: null, nextAtEnd: null, clockEnd: null, clockStart: null,
                                       firstSrc: first.getAttribute('src')};
            first.addEventListener('ended', () => { g.ended = performance.now(); g.nextAtEnd = next.currentTime; }, {once: true});
            next.addEventListener('playing', () => { g.playing = performance.now(); g.nextSrc = next.getAttribute('src'); }, {once: true});
            const sample = () => {
              const now = performance.now();
              if (!first.paused && !first.ended && Number.isFinite(first.duration) && first.currentTime < first.duration) {
                g.clockEnd = now + (first.duration - first.currentTime) * 1000;
              }
              if (g.clockStart == null && !next.paused && next.currentTime > 0) g.clockStart = now - next.currentTime * 1000;
              if (g.ended == null || g.clockStart == null) setTimeout(sample, 1);
            };
            sample();""")
        self.js("""const slider = document.getElementById('player-seek');
            slider.value = String(Math.max(0, Number(slider.max) - arguments[0]));
            slider.dispatchEvent(new Event('input', {bubbles: true}));
            slider.dispatchEvent(new Event('change', {bubbles: true}));""", seconds_before_end)
        # The next element's clock is read once its currentTime has moved, which on a loaded machine can be some
        # milliseconds after its 'playing' event: wait for that reading too (the sampler runs until it has it).
        gap = self.until(lambda _: (lambda g: g if g and g["ended"] is not None and g["playing"] is not None
                                    and g["clockStart"] is not None else False)(
            self.js("return window.e2eGap")), "the change to the next track and the next clock's first reading",
            timeout=seconds_before_end + 20)
        return gap

    def gapless(self) -> None:
        self.back_as_admin()
        self.driver.set_window_size(1280, 900)
        # A crossfade is set, but tracks that follow each other on an album never fade.
        self.set_sound(crossfade="3")
        album = self.album_named("Morning Light")
        ids = self.album_track_ids(album)
        # Aurora, Crystal Lullaby, Daybreak, Evening: neighbours on the album, so no crossfade, and no gap. Each
        # change is timed (from 3 s before the end of each track, through the player's seek slider).
        current = self.play_titled("Morning Light", "Aurora")
        changes: list[tuple[float, float, float]] = []
        for second in ids[ids.index(current) + 1:]:
            self.until(lambda _: second in (self.js("return document.getElementById('audio-next').getAttribute('src')") or ""),
                       "the next track to preload")
            gap = self.measure_change(3)
            if second not in (gap.get("nextSrc") or "") or self.current_id() != second:
                raise StepFailure(f"gapless: the next element played {gap.get('nextSrc')}, not {second}; now {self.current_id()}")
            if gap.get("clockStart") is None or gap.get("clockEnd") is None:
                raise StepFailure(f"gapless: no clock readings around the change: {gap}")
            changes.append((gap["clockStart"] - gap["clockEnd"], gap["playing"] - gap["ended"], gap["nextAtEnd"] * 1000))
        print("     gapless: by the audio clocks each next track starts "
              + ", ".join(f"{clocks:+.1f}" for clocks, _, _ in changes) + " ms after the end of the one before; its 'playing' "
              + ", ".join(f"{events:+.1f}" for _, events, _ in changes) + " ms after the 'ended' event (having played "
              + ", ".join(f"{ahead:.1f}" for _, _, ahead in changes) + " ms by then)", flush=True)
        # The audible gap is the clocks' figure; the events are dispatched on the page's main thread, which a busy
        # machine delays (50.4 ms once with the clocks at +1.8 ms), so they are held to a looser bound.
        if len(changes) < 3 or any(abs(clocks) > 50 or abs(events) > 150 for clocks, events, _ in changes):
            raise StepFailure(f"gapless: the changes took {changes} ms (clocks, events, played ahead), 50 and 150 at most")

        # The 3 s crossfade between tracks of two albums: Aurora, then Lantern (Night Songs' track menu: Play next);
        # the next starts 3 s before the end, fading in.
        aurora = self.play_titled("Morning Light", "Aurora")
        night = self.album_named("Night Songs")
        self.go(f"/album/{night['id']}")
        row = self.until(lambda _: next((r for r in self.all(tid("track-row")) if self.fresh(lambda: self.find(tid("track-title"), r).text == "Lantern")), False),
                         "Lantern on the album page")
        lantern = row.get_attribute("data-track-id")
        menu = row.find_element(By.CSS_SELECTOR, tid("track-menu"))
        self.js("arguments[0].scrollIntoView({block: 'center'})", menu)
        menu.click()
        self.click(tid("menu-play-next"), "the menu's Play next item")
        self.until(lambda _: self.current_id() == aurora and not self.audio()["paused"], "Aurora to play on")
        self.until(lambda _: lantern in (self.js("return document.getElementById('audio-next').getAttribute('src')") or ""),
                   "Lantern to preload")
        fade = self.measure_change(6)
        if lantern not in (fade.get("nextSrc") or "") or self.current_id() != lantern:
            raise StepFailure(f"gapless: after Aurora the player went to {self.current_id()}, not Lantern: {fade}")
        early = fade["clockEnd"] - fade["clockStart"]
        print(f"     crossfade: Lantern started {early:.0f} ms before Aurora ended (3 s asked; by the events "
              f"{fade['ended'] - fade['playing']:.0f} ms)", flush=True)
        if abs(early - 3000) > 300:
            raise StepFailure(f"gapless: with a 3 s crossfade the next track started {early:.0f} ms before the end: {fade}")
        self.set_sound(crossfade="0")
        self.pause_player()

    def search_typed(self, text: str) -> WebElement:
        """Types text in the search box (replacing what it held) and waits for its own results."""
        box = self.visible(tid("search-input"), "the search box")
        box.clear()
        box.send_keys(text)

        def settled(_: Any) -> bool:
            try:
                shown = self.find(tid("search-all"))
                return (shown is not None and shown.is_displayed() and f"\u201c{text}\u201d" in shown.text
                        and self.find("#search[aria-busy]") is None)
            except StaleElementReferenceException:
                return False
        self.until(settled, f'the dropdown\'s results for "{text}"')
        return box

    def search_groups(self) -> dict[str, Any]:
        """The dropdown's groups in order ({name: [labels]}), and its "did you mean" correction."""
        return self.js("""const list = document.getElementById('search-results');
            const groups = [...list.querySelectorAll('[role="group"]')].map((g) => [g.dataset.group,
              [...g.querySelectorAll('[role="option"]')].map((o) => o.querySelector('.search-label').textContent),
              document.getElementById(g.getAttribute('aria-labelledby'))?.textContent]);
            const dym = list.querySelector('[data-testid="search-didyoumean"]');
            return {order: groups.map((g) => g[0]), groups: Object.fromEntries(groups.map((g) => [g[0], g[1]])),
                    heads: groups.map((g) => g[2]), didYouMean: dym ? dym.dataset.query : null,
                    options: list.querySelectorAll('[role="option"]').length};""")

    def search_key_to(self, box: WebElement, kind: str, label: str, key: str = Keys.ARROW_DOWN) -> None:
        """Moves through the listbox with the arrow key until the option of kind named label is active."""
        count = self.js("return document.querySelectorAll('#search-results [role=\"option\"]').length")
        for _ in range(count + 1):
            box.send_keys(key)
            active_id = box.get_attribute("aria-activedescendant")
            if not active_id:
                raise StepFailure(f"searchgroups: {key!r} set no aria-activedescendant")
            active = self.driver.find_element(By.ID, active_id)
            if active.get_attribute("aria-selected") != "true":
                raise StepFailure("searchgroups: the active option is not aria-selected")
            if active.get_attribute("data-kind") == kind and label in active.text:
                return
        raise StepFailure(f'searchgroups: the arrow keys never reached the {kind} "{label}"')

    def searchgroups(self) -> None:
        self.driver.set_window_size(1280, 900)
        order = ["artists", "albums", "tracks", "composers", "genres", "playlists"]
        heads = {"artists": "Artists", "albums": "Albums", "tracks": "Tracks", "composers": "Composers",
                 "genres": "Genres", "playlists": "Playlists"}

        def check_order(found: dict[str, Any], query: str) -> None:
            if found["order"] != [g for g in order if g in found["order"]]:
                raise StepFailure(f'searchgroups: the groups for "{query}" come as {found["order"]}, not in the order {order}')
            if found["heads"] != [heads[g] for g in found["order"]]:
                raise StepFailure(f'searchgroups: the group headings for "{query}" are {found["heads"]}')
            if any(not found["groups"][g] for g in found["order"]):
                raise StepFailure(f'searchgroups: an empty group shows for "{query}": {found["groups"]}')

        # The syntax hint: the box's tooltip, and a line under the results.
        box = self.visible(tid("search-input"), "the search box")
        if "year:1990-1999" not in (box.get_attribute("title") or ""):
            raise StepFailure(f"searchgroups: the search box's title gives no syntax hint: {box.get_attribute('title')!r}")

        # A typo of an artist of the library ("Nina Quiet"): the Artists group shows her, with the correction offered.
        box = self.search_typed("qiuet")
        found = self.search_groups()
        check_order(found, "qiuet")
        if "Nina Quiet" not in found["groups"].get("artists", []):
            raise StepFailure(f'searchgroups: the Artists group for "qiuet" lacks Nina Quiet: {found}')
        hint = self.visible(tid("search-hint"), "the syntax hint under the results")
        if "year:1990-1999" not in hint.text or "artist:" not in hint.text:
            raise StepFailure(f"searchgroups: the syntax hint says {hint.text!r}")
        if box.get_attribute("aria-describedby") != "search-hint":
            raise StepFailure("searchgroups: the search box is not described by the syntax hint")
        self.shot("search-groups")
        # The keyboard reaches her across the groups; Enter opens her page.
        self.search_key_to(box, "artist", "Nina Quiet")
        box.send_keys(Keys.ENTER)
        self.until(lambda _: box.get_attribute("aria-expanded") == "false", "Enter to close the results")
        self.until(lambda _: self.js("return location.hash").startswith("#/artist/"), "the artist page after Enter")
        self.wait_view()

        # A word that matches nothing as typed ("Ólöf Example" misspelt): "Did you mean …?" with the corrected
        # text; its link puts that in the box and searches it.
        box = self.search_typed("olof exmaple")
        found = self.search_groups()
        suggestion = found["didYouMean"]
        if not suggestion or "example" not in suggestion.lower():
            raise StepFailure(f'searchgroups: no "did you mean" for "olof exmaple": {found}')
        self.shot("search-didyoumean")
        self.click(tid("search-didyoumean-link"), "the did-you-mean link")
        self.until(lambda _: box.get_attribute("value") == suggestion, f'the box to hold "{suggestion}"')

        def corrected(_: Any) -> dict[str, Any] | bool:
            try:
                shown = self.find(tid("search-all"))
                if shown is None or f"\u201c{suggestion}\u201d" not in shown.text or self.find("#search[aria-busy]") is not None:
                    return False
            except StaleElementReferenceException:
                return False
            return self.search_groups()
        found = self.until(corrected, f'the results for "{suggestion}"')
        if found["didYouMean"] or not any(a.endswith("f Example") for a in found["groups"].get("artists", [])):
            raise StepFailure(f'searchgroups: the corrected search "{suggestion}" shows {found}')
        if box.get_attribute("aria-expanded") != "true":
            raise StepFailure("searchgroups: the results did not stay open after the correction")
        box.send_keys(Keys.ESCAPE)
        self.until(lambda _: box.get_attribute("aria-expanded") == "false", "Escape to close the results")

        # A genre: the Genres group; choosing it opens the genre's albums.
        box = self.search_typed("jazz")
        found = self.search_groups()
        check_order(found, "jazz")
        if "Jazz" not in found["groups"].get("genres", []):
            raise StepFailure(f'searchgroups: no Genres group with Jazz for "jazz": {found}')
        option = self.visible(f'{tid("search-results")} [data-kind="genre"][data-id="Jazz"]', "the Jazz genre option")
        option.click()
        self.until(lambda _: self.js("return decodeURIComponent(location.hash)") == "#/albums?genre=Jazz", "the Jazz albums page")
        self.wait_view()
        self.until(lambda _: "Jazz" in self.find("#main .view h1").text, "the Jazz albums page's title")

        # A playlist of the listener's: the Playlists group; ArrowUp (from the end) reaches it and Enter opens it.
        name = f"E2E Searchable mix {int(time.time())}"
        tracks = self.fetch_json("/api/v1/search?q=lantern&kinds=tracks")["tracks"]
        created = self.fetch_json("/api/v1/playlists", "POST", {"name": name, "trackIds": [t["id"] for t in tracks[:1]]})
        box = self.search_typed("searchable")
        found = self.search_groups()
        check_order(found, "searchable")
        if name not in found["groups"].get("playlists", []):
            raise StepFailure(f'searchgroups: no Playlists group with "{name}" for "searchable": {found}')
        self.shot("search-playlists")
        self.search_key_to(box, "playlist", name, Keys.ARROW_UP)
        box.send_keys(Keys.ENTER)
        self.until(lambda _: self.js("return location.hash") == f"#/playlist/{created['id']}", "the playlist page after Enter")
        self.until(lambda _: (lambda e: e is not None and e.text == name)(self.find(tid("playlist-title"))), "the playlist's title")
        self.wait_view()
        self.fetch_json(f"/api/v1/playlists/{created['id']}", "DELETE")
        box.clear()

    def console_check(self) -> None:
        bad = [e["message"] for e in self.drain_console()
               if e.get("level") == "SEVERE" and ("Content Security Policy" in e["message"] or "Uncaught" in e["message"])]
        if bad:
            raise StepFailure("console: " + " | ".join(bad[:5]))

    def system(self) -> None:
        """The admin's System page: live figures, the hour's charts, the log and the plugins' health."""
        self.driver.set_window_size(1280, 900)
        self.go("/admin")
        self.click(tid("admin-system-link"), "the System link on the Admin page")
        self.wait_view()
        figures = self.visible(tid("system-figures"), "the System page's figures")
        api = self.fetch_json("/api/v1/admin/system")

        def figure(name: str) -> float:
            element = self.find(tid(f"system-{name}"), figures)
            return float(element.get_attribute("data-value")) if element is not None else -1.0
        for name in ("uptime", "cpu", "memory", "requests", "errors", "streams"):
            if figure(name) < 0:
                raise StepFailure(f"system: no {name} figure")
        if figure("memory") <= 0:
            raise StepFailure(f"system: memory shows {figure('memory')}, the API {api['residentBytes']}")
        for folder in ("data", "cache"):
            disk = self.find(tid(f"system-disk-{folder}"))
            if disk is None or int(disk.get_attribute("data-free")) <= 0 or self.find("svg.share-bar", disk) is None:
                raise StepFailure(f"system: no free space with a bar for the {folder} folder")
        # Both charts drawn: a point a minute over the hour, joined by a line.
        for chart in ("system-requests-chart", "system-errors-chart"):
            points = self.until(lambda _: len(self.all(f'{tid(chart)} svg circle.chart-dot')), f"the points of {chart}")
            if points != len(api["minutes"]) or self.find(f'{tid(chart)} svg path.chart-line') is None:
                raise StepFailure(f"system: {chart} has {points} points for {len(api['minutes'])} minutes")
        rows = len(self.all(tid("system-plugin-row")))
        if rows != len(api["plugins"]):
            raise StepFailure(f"system: {rows} plugin rows, the API {len(api['plugins'])} plugins")
        if self.find(f'{tid("system-logs")} .system-log, {tid("system-logs")} .empty') is None:
            raise StepFailure("system: no recent warnings list nor its empty message")
        # Live: the page asks again by itself, and the requests since the start grow with it.
        first = self.find(tid("system-updated")).text
        self.until(lambda _: self.find(tid("system-updated")).text != first, "the System page to refresh", timeout=15)
        later = self.fetch_json("/api/v1/admin/system")
        if later["requests"] <= api["requests"]:
            raise StepFailure(f"system: requests stayed at {api['requests']} after the page refreshed")
        print(f"     memory {figure('memory') / 1e6:.0f} MB, {api['requests']} → {later['requests']} requests, "
              f"{rows} plugin(s), {len(later['logs'])} log line(s)", flush=True)
        self.shot("admin-system")
        self.scroll_to(tid("system-charts"))
        self.shot("admin-system-charts")

    # MARK: - The run

    def run(self) -> int:
        try:
            self.step("login", self.login)
            self.step("scrobbler", self.scrobbler, requires=("login",))
            self.step("search", self.search, requires=("login",))
            self.step("searchgroups", self.searchgroups, requires=("login",))
            self.step("play", self.play, requires=("login",))
            self.step("queue", self.queue, requires=("login",))
            self.step("playlist", self.playlist, requires=("login",))
            self.step("reload", self.reload, requires=("login",))
            self.step("scan", self.scan, requires=("login",))
            self.step("browse", self.browse, requires=("login",))
            self.step("radio", self.radio, requires=("login",))
            self.step("foryou", self.foryou, requires=("login", "play"))
            self.step("instantmix", self.instantmix, requires=("login",))
            self.step("genreradio", self.genreradio, requires=("login",))
            self.step("sonicpath", self.sonicpath, requires=("login",))
            self.step("stats", self.stats, requires=("login",))
            self.step("review", self.review, requires=("login",))
            self.step("timezone", self.timezone, requires=("login",))
            self.step("adminstats", self.adminstats, requires=("login",))
            self.step("system", self.system, requires=("login",))
            self.step("spotify", self.spotify, requires=("login",))
            self.step("spotifylink", self.spotifylink, requires=("login", "spotify"))
            self.step("spotifysync", self.spotifysync, requires=("spotifylink",))
            self.step("spotifyconnect", self.spotifyconnect, requires=("spotifysync",))
            self.step("spotifyexport", self.spotifyexport, requires=("spotifylink",))
            self.step("plans", self.plans, requires=("login",))
            self.step("planlimits", self.planlimits, requires=("login",))
            self.step("stripe", self.stripe, requires=("login",))
            self.step("smartplaylist", self.smartplaylist, requires=("login",))
            self.step("replaygain", self.replaygain, requires=("login",))
            self.step("gapless", self.gapless, requires=("login",))
            self.step("remote", self.remote, requires=("login",))
            self.step("phone", self.phone, requires=("login",))
            self.step("console", self.console_check)
        finally:
            try:
                self.driver.quit()
            except WebDriverException:
                pass
        print(json.dumps({"passed": self.passed, "failed": self.failed, "screenshots": self.screenshots}), flush=True)
        return 0 if not self.failed else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True, help="the server's base URL, e.g. http://127.0.0.1:4533")
    parser.add_argument("--username", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--query", required=True, help="search text that finds the track --expect-title")
    parser.add_argument("--expect-title", required=True, help="a track title in the library")
    parser.add_argument("--screenshots", required=True, help="folder for the PNG screenshots")
    parser.add_argument("--listenbrainz-token", default="", help="a token the server's ListenBrainz accepts")
    parser.add_argument("--steps", default=os.environ.get("WEB_E2E_STEPS", ""),
                        help="only these steps (comma-separated; login always runs)")
    args = parser.parse_args()
    try:
        return E2E(args).run()
    except WebDriverException as error:
        print(f"web_e2e: cannot start Chromium: {error.msg}", flush=True)
        print(json.dumps({"passed": [], "failed": ["browser"], "screenshots": []}), flush=True)
        return 1


if __name__ == "__main__":
    sys.exit(main())
