"""The machinery behind clients.py: the report, the OpenSubsonic schema validator, a raw HTTP
client for both response formats, the XML <-> JSON comparison, and the hooks that let the
harness see (and validate) every JSON response the three client libraries receive.

Nothing here knows about an endpoint group; clients.py holds the checks.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import secrets
import traceback
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterable

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

NAMESPACE = "http://subsonic.org/restapi"
SCHEMAS = Path(__file__).resolve().parent.parent / "Schemas"

Params = Iterable[tuple[str, Any]] | dict[str, Any] | None


# MARK: - Report


class Report:
    """Counts passed checks and collects failures with where they happened; a failed check
    never stops the run, so one run shows every problem."""

    def __init__(self) -> None:
        self.passed = 0
        self.failures: list[str] = []
        self.known_bugs: list[str] = []
        self.scope: list[str] = []

    @contextlib.contextmanager
    def section(self, name: str):
        self.scope.append(name)
        try:
            yield
        finally:
            self.scope.pop()

    def where(self, what: str) -> str:
        return " > ".join([*self.scope, what])

    def fail(self, what: str, detail: str = "") -> None:
        self.failures.append(self.where(what) + (f": {detail}" if detail else ""))

    def check(self, ok: bool, what: str, detail: str = "") -> bool:
        if ok:
            self.passed += 1
        else:
            self.fail(what, detail)
        return ok

    def equal(self, actual: Any, expected: Any, what: str) -> bool:
        return self.check(actual == expected, what, f"got {actual!r}, expected {expected!r}")

    def step(self, what: str, function: Callable, *args: Any) -> Any:
        """Runs `function`; an exception fails this step (with the end of its traceback) only."""
        try:
            return function(*args)
        except Exception as error:  # noqa: BLE001 - every failure is reported, none stops the run
            trace = "".join(traceback.format_exception(error, limit=-4))
            self.fail(what, f"{type(error).__name__}: {error}\n" + indent(trace))
            return None

    def raises(self, what: str, exceptions: type | tuple[type, ...], function: Callable, *args: Any) -> Any:
        """`function` must raise one of `exceptions` (a client's mapping of a Subsonic error)."""
        try:
            function(*args)
        except exceptions as error:
            self.passed += 1
            return error
        except Exception as error:  # noqa: BLE001
            self.fail(what, f"raised {type(error).__name__}: {error}, expected {exceptions}")
            return None
        self.fail(what, f"returned normally, expected {exceptions}")
        return None

    def known_client_bug(self, what: str, reason: str, exceptions: tuple[type, ...], function: Callable) -> None:
        """A client library bug listed in the reference (section 5): the call must still fail
        the documented way. Success means the server's response changed away from the spec
        shape the library chokes on, which is a failure too."""
        try:
            function()
        except exceptions as error:
            self.known_bugs.append(f"{self.where(what)}: {reason} [{type(error).__name__}: {str(error)[:120]}]")
            return
        except Exception as error:  # noqa: BLE001
            self.fail(what, f"known client bug ({reason}) but a different error: {type(error).__name__}: {error}")
            return
        self.fail(what, f"known client bug ({reason}) did not happen: did the response leave the spec's shape?")


def indent(text: str, prefix: str = "    ") -> str:
    return "".join(prefix + line for line in text.rstrip().splitlines(True))


# MARK: - Schemas


def response_ref(endpoint: dict) -> str | None:
    """The `$ref` of an endpoint file's 200 response (`endpoints/<method>.json`): a schema, or a
    shared OpenAPI response object in `responses/`; None when it has no JSON (binary only)."""
    operation = endpoint.get("get") or endpoint["post"]
    response = operation["responses"]["200"]
    if "$ref" in response:
        return response["$ref"]
    json_content = response.get("content", {}).get("application/json")
    return json_content["schema"]["$ref"] if json_content else None


def _date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if "T" not in value.upper():
        raise ValueError("no time part")
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError("no time zone")
    return True


class Schemas:
    """Validates a whole JSON document (`{"subsonic-response": …}`) against the response schema
    that `Schemas/endpoints/<method>.json` names, with the `$ref`s resolved over the copied
    files. A method without a copied endpoint file may only answer a failure, checked against
    the generic `schemas/SubsonicResponse.json`."""

    def __init__(self, root: Path = SCHEMAS) -> None:
        self.root = root
        self.registry = Registry(retrieve=self._retrieve)  # type: ignore[call-arg]
        self.format_checker = jsonschema.FormatChecker(formats=())
        self.format_checker.checks("date-time", raises=(ValueError, TypeError))(_date_time)
        self._validators: dict[str, jsonschema.protocols.Validator] = {}
        self._paths: dict[str, Path | None] = {}

    # Errata to the copied files, applied as they are read (the files stay as copied): each names
    # the schema's own contradiction and what the spec and the clients say instead.
    ERRATA: dict[str, Any] = {
        # It requires `volume`, typed integer with a range of 0.0 to 1.0 (so only 0 or 1 would pass);
        # the Subsonic spec and all three client libraries read `gain`, a float in that range (knuckles
        # even fails on an unknown `volume` key). Canto sends `gain`: required here in its place.
        "JukeboxStatus.json": lambda doc: (
            doc["properties"].update(gain={"type": "number", "minimum": 0.0, "maximum": 1.0}),
            doc.update(required=["gain" if name == "volume" else name for name in doc["required"]]),
        ),
    }

    @staticmethod
    def _retrieve(uri: str) -> Resource:
        path = Path(urllib.request.url2pathname(urllib.parse.urlparse(uri).path))
        contents = json.loads(path.read_text())
        fix = Schemas.ERRATA.get(path.name)
        if fix is not None:
            fix(contents)
        return Resource.from_contents(contents, default_specification=DRAFT202012)

    def response_schema(self, method: str) -> Path | None:
        """The schema file of `method`'s 200 response. Shared responses (`responses/*.json`,
        e.g. the empty one of `ping`) are OpenAPI response objects: their schema is inside."""
        if method not in self._paths:
            path = self.root / "endpoints" / f"{method}.json"
            generic = self.root / "schemas" / "SubsonicResponse.json"
            if not path.exists():
                self._paths[method] = None
                return None
            ref = response_ref(json.loads(path.read_text()))
            path = (path.parent / ref).resolve() if ref else generic
            content = json.loads(path.read_text()).get("content")
            if content is not None:  # a response object; binary ones answer JSON only for errors
                json_content = content.get("application/json")
                path = (path.parent / json_content["schema"]["$ref"]).resolve() if json_content else generic
            self._paths[method] = path
        return self._paths[method]

    def _validator(self, path: Path) -> jsonschema.protocols.Validator:
        uri = path.as_uri()
        if uri not in self._validators:
            self._validators[uri] = jsonschema.Draft202012Validator(
                {"$ref": uri}, registry=self.registry, format_checker=self.format_checker
            )
        return self._validators[uri]

    def validate(self, method: str, document: Any) -> list[str]:
        """Problems with `document` as the answer to `method`; empty when it validates."""
        path = self.response_schema(method)
        status = (document.get("subsonic-response") or {}).get("status") if isinstance(document, dict) else None
        if path is None:
            if status == "ok":
                return [
                    f"no schema copied for {method}: run Python/copy_schemas.py OPENAPI_DIR {method} "
                    "(an implemented endpoint must be validated against its own schema)"
                ]
            path = self.root / "schemas" / "SubsonicResponse.json"
        if self._validator(path).is_valid(document):
            return []
        return self._explain(path, document, status)

    def _explain(self, path: Path, document: Any, status: str | None) -> list[str]:
        """The errors of the `oneOf` branch (success or failure) that matches the status, which
        say far more than "is not valid under any of the given schemas"."""
        schema = json.loads(path.read_text())
        branches = (schema.get("properties", {}).get("subsonic-response", {}) or {}).get("oneOf", [])
        wanted = "Failure" if status == "failed" else "Success"
        for branch in branches:
            ref = branch.get("$ref", "")
            if wanted in ref:
                target = (path.parent / ref).resolve()
                errors = self._validator(target).iter_errors(document["subsonic-response"])
                return [_describe(error, "$.subsonic-response") for error in errors] or [
                    f"does not validate against {path.name}"
                ]
        return [_describe(error, "$") for error in self._validator(path).iter_errors(document)]


def _describe(error: jsonschema.ValidationError, root: str) -> str:
    where = root + error.json_path.removeprefix("$")
    message = error.message if len(error.message) < 300 else error.message[:300] + "…"
    if error.context:
        deepest = jsonschema.exceptions.best_match(error.context)
        message += f" (best match: {deepest.json_path}: {deepest.message[:200]})"
    return f"{where}: {message}"


# MARK: - Observer


def method_of(url: str) -> str:
    name = urllib.parse.urlparse(url).path.rsplit("/", 1)[-1]
    return name.removesuffix(".view")


def parameters_of(url: str, body: bytes | str | None) -> dict[str, list[str]]:
    values = urllib.parse.parse_qs(urllib.parse.urlparse(url).query, keep_blank_values=True)
    if body:
        text = body.decode() if isinstance(body, bytes) else body
        for key, items in urllib.parse.parse_qs(text, keep_blank_values=True).items():
            values.setdefault(key, []).extend(items)
    return values


def mechanism_of(parameters: dict[str, list[str]]) -> str:
    if "apiKey" in parameters:
        return "apiKey"
    if "t" in parameters:
        return "token"
    if "p" in parameters:
        return "enc" if parameters["p"][0].startswith("enc:") else "password"
    return "none"


class Observer:
    """Sees every Subsonic response, from the raw client and from the libraries' hooks: checks
    the HTTP status and content type, validates each JSON `subsonic-response` against its
    schema, and remembers which methods and auth mechanisms each client used."""

    def __init__(self, schemas: Schemas, report: Report) -> None:
        self.schemas = schemas
        self.report = report
        self.client = "raw"
        self.seen: dict[str, Counter] = defaultdict(Counter)
        self.mechanisms: dict[str, Counter] = defaultdict(Counter)
        self.validated = 0

    @contextlib.contextmanager
    def as_client(self, name: str):
        previous, self.client = self.client, name
        try:
            yield
        finally:
            self.client = previous

    def note_mechanism(self, parameters: dict[str, Any]) -> None:
        """For clients whose request body the hook cannot see (py-opensonic)."""
        self.mechanisms[self.client][mechanism_of({key: [str(value)] for key, value in parameters.items()})] += 1

    def observe(
        self, url: str, body: bytes | str | None, status: int, content_type: str, payload: bytes,
        mechanism: bool = True,
    ) -> Any:
        """Checks one response; returns the parsed JSON document when it is JSON."""
        method = method_of(url)
        self.seen[self.client][method] += 1
        if mechanism:
            self.mechanisms[self.client][mechanism_of(parameters_of(url, body))] += 1
        what = f"{method} [{self.client}]"
        self.report.check(status == 200, f"{what}: HTTP status", f"HTTP {status}, Subsonic errors go with 200")
        if not content_type.startswith("application/json"):
            return None
        try:
            document = json.loads(payload)
        except ValueError as error:
            self.report.fail(f"{what}: JSON", f"not JSON ({error}): {payload[:200]!r}")
            return None
        problems = self.schemas.validate(method, document)
        self.validated += 1
        self.report.check(not problems, f"{what}: OpenSubsonic schema", "\n" + indent("\n".join(problems[:15])))
        return document


# MARK: - Raw HTTP


@dataclass
class Credentials:
    username: str
    password: str
    app_password: str
    api_key: str | None


@dataclass
class HTTPResult:
    status: int
    content_type: str
    body: bytes


class SubsonicFailure(Exception):
    """A raw call answered status `failed` when `ok` was expected."""


class RawClient:
    """Plain HTTP to `/rest`, GET or form POST, any auth mechanism, either format."""

    def __init__(self, base_url: str, credentials: Credentials, observer: Observer) -> None:
        self.base_url = base_url.rstrip("/")
        self.credentials = credentials
        self.observer = observer
        self.report = observer.report
        self.xml_seen: Counter = Counter()

    def auth(self, mechanism: str | None) -> list[tuple[str, str]]:
        """`token` (app password, fresh salt), `password` (clear login password), `enc`
        (`enc:` hex of the app password), `apiKey`, or None for no credentials."""
        c = self.credentials
        if mechanism is None:
            return []
        if mechanism == "token":
            salt = secrets.token_hex(6)
            return [("u", c.username), ("t", hashlib.md5((c.app_password + salt).encode()).hexdigest()), ("s", salt)]
        if mechanism == "password":
            return [("u", c.username), ("p", c.password)]
        if mechanism == "enc":
            return [("u", c.username), ("p", "enc:" + c.app_password.encode().hex())]
        if mechanism == "apiKey":
            assert c.api_key, "no API key was given"
            return [("apiKey", c.api_key)]
        raise ValueError(mechanism)

    def send(
        self, method: str, params: Params = None, *, format: str | None = "json", auth: str | None = "token",
        http: str = "GET", view: bool = False, extra: Params = None, version: str = "1.16.1",
    ) -> HTTPResult:
        """One request. `extra` parameters come after the credentials (to add a conflicting one)."""
        pairs: list[tuple[str, str]] = [("v", version), ("c", "canto-harness")]
        if format is not None:
            pairs.append(("f", format))
        credentials = self.auth(auth)
        pairs += credentials + _pairs(params) + _pairs(extra)
        url = f"{self.base_url}/rest/{method}{'.view' if view else ''}"
        encoded = urllib.parse.urlencode(pairs)
        if http == "GET":
            request = urllib.request.Request(f"{url}?{encoded}")
        else:
            request = urllib.request.Request(
                url, data=encoded.encode(), headers={"Content-Type": "application/x-www-form-urlencoded"}
            )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                result = HTTPResult(response.status, response.headers.get("Content-Type", ""), response.read())
        except urllib.error.HTTPError as error:
            result = HTTPResult(error.code, error.headers.get("Content-Type", ""), error.read())
        self.observer.mechanisms["raw"][mechanism_of(parameters_of(url, encoded))] += 1
        return result

    def json(self, method: str, params: Params = None, *, expect: str | int = "ok", **options: Any) -> dict:
        """The `subsonic-response` of a JSON call, validated; `expect` is `ok`, an error code, or
        `failed` for an error whose code is the server's choice."""
        result = self.send(method, params, format="json", **options)
        self.report.check(
            result.content_type.startswith("application/json"), f"{method} f=json: Content-Type",
            repr(result.content_type),
        )
        document = self.observer.observe(
            f"{self.base_url}/rest/{method}", None, result.status, "application/json", result.body, mechanism=False
        )
        if document is None:
            raise SubsonicFailure(f"{method}: no JSON document")
        response = document["subsonic-response"]
        self._expect(method, f"{method} f=json", response.get("status"), response.get("error"), expect)
        return response

    def xml(self, method: str, params: Params = None, *, expect: str | int = "ok", format: str | None = "xml",
            **options: Any) -> ET.Element:
        """The root of an XML call, checked for well-formedness, namespace and envelope."""
        result = self.send(method, params, format=format, **options)
        self.xml_seen[method] += 1
        what = f"{method} f={format or '(default)'}"
        self.report.check(result.status == 200, f"{what}: HTTP status", f"HTTP {result.status}")
        self.report.check(
            result.content_type.split(";")[0].strip() in ("application/xml", "text/xml"), f"{what}: Content-Type",
            repr(result.content_type),
        )
        try:
            root = ET.fromstring(result.body)
        except ET.ParseError as error:
            self.report.fail(f"{what}: well-formed XML", f"{error}: {result.body[:300]!r}")
            raise SubsonicFailure(f"{method}: malformed XML") from error
        self.report.check(result.body.startswith(b"<?xml"), f"{what}: XML declaration")
        self.report.equal(root.tag, f"{{{NAMESPACE}}}subsonic-response", f"{what}: root element")
        outside = sorted({element.tag for element in root.iter() if not element.tag.startswith(f"{{{NAMESPACE}}}")})
        self.report.check(not outside, f"{what}: every element in {NAMESPACE}", f"{outside}")
        for attribute in ("status", "version", "type", "serverVersion", "openSubsonic"):
            self.report.check(attribute in root.attrib, f"{what}: envelope attribute {attribute}")
        error = root.find(f"{{{NAMESPACE}}}error")
        self._expect(method, what, root.get("status"), None if error is None else dict(error.attrib), expect)
        return root

    def both(self, method: str, params: Params = None, *, expect: str | int = "ok", **options: Any) -> dict:
        """The same call as JSON and as XML: both checked, and the XML must carry exactly the
        JSON's data (attributes, child elements, text). Returns the JSON `subsonic-response`."""
        response = self.json(method, params, expect=expect, **options)
        root = self.xml(method, params, expect=expect, **options)
        problems = xml_differences(root, response, "subsonic-response")
        self.report.check(
            not problems, f"{method}: XML and JSON carry the same data", "\n" + indent("\n".join(problems[:15]))
        )
        return response

    def _expect(self, method: str, what: str, status: str | None, error: dict | None, expect: str | int) -> None:
        if expect == "ok":
            if status != "ok":
                self.report.fail(f"{what}: status", f"failed with {error}")
                raise SubsonicFailure(f"{method}: {error}")
            self.report.passed += 1
            return
        self.report.equal(status, "failed", f"{what}: status")
        error = error or {}
        code = error.get("code")
        if expect != "failed":
            self.report.check(str(code) == str(expect), f"{what}: error code", f"got {code!r}, expected {expect}")
        self.report.check(bool(error.get("message")), f"{what}: error message", f"{error}")


def _pairs(params: Params) -> list[tuple[str, str]]:
    if params is None:
        return []
    items = params.items() if isinstance(params, dict) else params
    pairs = []
    for key, value in items:
        for item in value if isinstance(value, (list, tuple)) else [value]:
            pairs.append((key, str(item).lower() if isinstance(item, bool) else str(item)))
    return pairs


# MARK: - XML <-> JSON


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _same(text: str, value: Any) -> bool:
    if isinstance(value, bool):
        return text == ("true" if value else "false")
    if isinstance(value, int):
        return text == str(value)
    if isinstance(value, float):
        try:
            return abs(float(text) - value) <= 1e-9 * max(1.0, abs(value))
        except ValueError:
            return False
    return text == value


# Scalars that the Subsonic XSD makes child elements with text, not attributes, by the local
# name of the element that holds them.
TEXT_ELEMENTS: dict[str, set[str]] = {
    "artistInfo": {"biography", "musicBrainzId", "lastFmUrl", "smallImageUrl", "mediumImageUrl", "largeImageUrl"},
    "artistInfo2": {"biography", "musicBrainzId", "lastFmUrl", "smallImageUrl", "mediumImageUrl", "largeImageUrl"},
    "albumInfo": {"notes", "musicBrainzId", "lastFmUrl", "smallImageUrl", "mediumImageUrl", "largeImageUrl"},
}


def xml_differences(element: ET.Element, value: Any, path: str) -> list[str]:
    """How an XML element differs from the JSON value it should mirror (Subsonic's mapping:
    scalars are attributes, objects single child elements, arrays repeated child elements,
    `value` the text; an array of scalars is elements holding only text; TEXT_ELEMENTS are
    scalars as text-only child elements)."""
    out: list[str] = []
    text = element.text or ""
    text_elements = TEXT_ELEMENTS.get(_local(element.tag), set())
    if not isinstance(value, dict):
        if element.attrib or len(element):
            out.append(f"{path}: XML has attributes or children for the JSON scalar {value!r}")
        if not _same(text, value):
            out.append(f"{path}: XML text {text!r}, JSON {value!r}")
        return out
    children: dict[str, list[ET.Element]] = defaultdict(list)
    for child in element:
        children[_local(child.tag)].append(child)
    for key, item in value.items():
        where = f"{path}.{key}"
        if key == "value" and not isinstance(item, (dict, list)):
            if not _same(text, item):
                out.append(f"{where}: XML text {text!r}, JSON {item!r}")
        elif key in text_elements and not isinstance(item, (dict, list)):
            kids = children.pop(key, [])
            if len(kids) != 1:
                out.append(f"{where}: {len(kids)} <{key}> elements for one JSON scalar")
            else:
                out += xml_differences(kids[0], item, where)
        elif isinstance(item, dict):
            kids = children.pop(key, [])
            if len(kids) != 1:
                out.append(f"{where}: {len(kids)} <{key}> elements for one JSON object")
            else:
                out += xml_differences(kids[0], item, where)
        elif isinstance(item, list):
            kids = children.pop(key, [])
            if len(kids) != len(item):
                out.append(f"{where}: {len(kids)} <{key}> elements, JSON array of {len(item)}")
            else:
                for index, (kid, entry) in enumerate(zip(kids, item)):
                    out += xml_differences(kid, entry, f"{where}[{index}]")
        elif item is None:
            out.append(f"{where}: JSON null (omit the key instead)")
        elif key not in element.attrib:
            out.append(f"{where}: attribute missing in XML (JSON {item!r})")
        elif not _same(element.attrib[key], item):
            out.append(f"{where}: XML {element.attrib[key]!r}, JSON {item!r}")
    for key in element.attrib:
        if key not in value:
            out.append(f"{path}.{key}: XML attribute not in JSON")
    for key in children:
        out.append(f"{path}.{key}: XML <{key}> elements not in JSON")
    if "value" not in value and text.strip():
        out.append(f"{path}: XML text {text!r} not in JSON")
    return out


# MARK: - Client library hooks


class _BufferedResponse:
    """What py-sonic's opener returns, with the body already read (and observed)."""

    def __init__(self, response: Any, body: bytes) -> None:
        self._response = response
        self._body = body
        self.headers = response.headers
        self.status = response.status

    def read(self, *args: Any) -> bytes:
        body, self._body = self._body, b""
        return body

    def info(self) -> Any:
        return self._response.info()

    def getcode(self) -> int:
        return self.status

    def close(self) -> None:
        self._response.close()


def observe_py_sonic(connection: Any, observer: Observer) -> Any:
    """Wraps a `libsonic.Connection`'s urllib opener (py-sonic reads every response through it)."""
    opener = connection._opener

    class ObservingOpener:
        def open(self, request: Any, *args: Any, **kwargs: Any) -> Any:
            response = opener.open(request, *args, **kwargs)
            body = response.read()
            observer.observe(
                request.full_url, request.data, response.status, response.headers.get("Content-Type", ""), body
            )
            return _BufferedResponse(response, body)

    connection._opener = ObservingOpener()
    return connection


def install_library_hooks(observer: Observer) -> None:
    """Class-level hooks for py-opensonic and knuckles (py-sonic's is per connection)."""
    from libopensonic._async.connection import AsyncConnection

    handle_info = AsyncConnection._handle_info_res
    base_query = AsyncConnection._get_base_qdict

    async def observed_info(self: Any, res: Any) -> Any:
        payload = await res.read()  # aiohttp keeps the body, so the library can still read it
        observer.observe(str(res.url), None, res.status, res.headers.get("Content-Type", ""), payload, mechanism=False)
        return await handle_info(self, res)

    def observed_base_query(self: Any) -> dict:
        query = base_query(self)
        observer.note_mechanism(query)
        return query

    AsyncConnection._handle_info_res = observed_info
    AsyncConnection._get_base_qdict = observed_base_query

    from knuckles._api import Api

    raw_request = Api.raw_request

    def observed_raw_request(self: Any, endpoint: str, extra_params: dict | None = None) -> Any:
        response = raw_request(self, endpoint, extra_params)
        observer.observe(
            response.request.url, response.request.body, response.status_code,
            response.headers.get("Content-Type", ""), response.content,
        )
        return response

    Api.raw_request = observed_raw_request
