#!/usr/bin/env python3
"""Copies the OpenSubsonic OpenAPI files that clients.py validates against into ../Schemas.

    python3 copy_schemas.py OPENAPI_DIR METHOD [METHOD ...]

OPENAPI_DIR is the `openapi/` folder of the opensubsonic/open-subsonic-api repository (it holds
`endpoints/`, `schemas/`, `responses/` and `LICENSE`). `schemas/`, `responses/` and `LICENSE`
are copied whole (they refer to each other); of `endpoints/`, only each METHOD's `<METHOD>.json`
and the folder its 200 response refers to. Run it when a new endpoint group goes into the
harness's table, with the new methods.
"""

import json
import sys
from pathlib import Path

TARGET = Path(__file__).resolve().parent.parent / "Schemas"


def response_ref(endpoint: dict) -> str | None:
    operation = endpoint.get("get") or endpoint["post"]
    response = operation["responses"]["200"]
    if "$ref" in response:
        return response["$ref"]
    json_content = response.get("content", {}).get("application/json")
    return json_content["schema"]["$ref"] if json_content else None


def copy(source: Path, target: Path) -> None:
    """Copies a file or a folder's files; contents only, so read-only sources give writable copies."""
    if source.is_dir():
        for path in sorted(source.rglob("*")):
            if path.is_file():
                copy(path, target / path.relative_to(source))
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(source.read_bytes())


def main(source: Path, methods: list[str]) -> None:
    for name in ("schemas", "responses", "LICENSE"):
        copy(source / name, TARGET / name)
    for method in methods:
        path = source / "endpoints" / f"{method}.json"
        copy(path, TARGET / "endpoints" / path.name)
        ref = response_ref(json.loads(path.read_text()))
        if ref and ref.startswith("./"):
            folder = ref[2:].split("/")[0]
            copy(source / "endpoints" / folder, TARGET / "endpoints" / folder)
        print(f"{method}: {ref}")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(Path(sys.argv[1]), sys.argv[2:])
