"""Round trips through Label Studio and doccano: install, start, import, read back, compare.

``interop/run`` calls this with the project's Python. For each tool it

1. creates (or reuses, with ``--reuse``) a virtual environment under the cache
   folder (``$XDG_CACHE_HOME/annotator-interop``, never inside the repository)
   and installs the tool from the package registry with pip;
2. starts the tool on 127.0.0.1 on a free port, with its data in a temporary
   folder that is removed afterwards;
3. imports our exports of a small team project (three analysts, notes, flags,
   "no label applies") through the tool's REST API, reads everything back and
   compares labels, counts, provenance metadata, notes and flags;
4. stops the servers it started, and prints one table row per format and tool.

A tool that cannot be installed or started is reported on one line; the run
exits non-zero for it only with ``--strict``. A comparison that fails always
exits non-zero.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LABEL_STUDIO = "label-studio==1.23.2"
# doccano 1.8.4 predates marshmallow 4 and numpy 2; without these pins it fails to start.
DOCCANO = ("doccano==1.8.4", "marshmallow<4", "numpy<2")
ADMIN_EMAIL = "admin@example.org"
ADMIN_PASSWORD = "interop-" + uuid.uuid4().hex[:12]
ANALYSTS = ("ana", "ben", "cai")


class Unavailable(Exception):
    """The tool could not be installed or started: reported, fatal only with --strict."""


class Mismatch(Exception):
    """The tool read our export back differently from what we wrote."""


@dataclass
class Row:
    """One line of the result table."""

    format: str
    tool: str
    loads: str = "-"
    labels: str = "-"
    metadata: str = "-"
    notes: str = "-"
    detail: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        cells = (self.loads, self.labels, self.metadata, self.notes)
        return all(cell.startswith("ok") or cell == "-" for cell in cells)


# -- the project exported -----------------------------------------------------------------


def build_logs(work: Path) -> tuple[list[Path], Path, Any]:
    """Three analysts' logs on the sample briefing; returns logs, the transcript, the labels."""
    sys.path.insert(0, str(ROOT))
    from annotator.labels import load_labels
    from annotator.sources import load_documents

    try:
        from annotator.log import AnnotationLog
    except ImportError:  # before the log package
        from annotator.log import AnnotationLog

    transcript = ROOT / "data" / "state-us-japan-extended-deterrence.txt"
    label_set = load_labels(ROOT / "labels.yaml")
    names = label_set.names
    documents = list(load_documents([transcript]))
    logs = []
    reach = {"ana": 28, "ben": 20, "cai": 10}
    for a, analyst in enumerate(ANALYSTS):
        path = work / f"{analyst}.jsonl"
        with AnnotationLog.open(path, analyst, labels=label_set) as log:
            n = 0
            for document in documents:
                for turn in document.turns:
                    for sentence in turn.sentences:
                        if n < reach[analyst]:
                            k = (n * 7 + a * 3) % (len(names) + 2)
                            chosen = [] if k >= len(names) else [names[k]]
                            if n % 5 == 1:
                                chosen.append(names[(k + 1) % len(names)])
                            note = (
                                f"{analyst}: check “{sentence.text[:12]}”" if n % 6 == 0 else None
                            )
                            log.decide(document, turn, sentence, chosen, note=note, flag=n % 4 == 3)
                        n += 1
        logs.append(path)
    return logs, transcript, label_set


def export(logs: list[Path], fmt: str, out: Path, **options: Any) -> Any:
    from annotator.export import ExportOptions, export_logs

    return export_logs(logs, fmt, out, options=ExportOptions(force=True, **options))


def expected(logs: list[Path]) -> dict[tuple[str, str], dict[str, Any]]:
    """(sentence id, analyst) -> labels, note, flag, speaker, document, turn: the truth."""
    from annotator.export import collect_dataset

    truth = {}
    for record in collect_dataset(logs).records:
        for a in record.annotations:
            truth[(record.id, a.annotator)] = {
                "labels": sorted(a.labels),
                "note": a.note or "",
                "flag": a.flag,
                "speaker": record.speaker,
                "document": record.document,
                "turn": record.turn,
                "text": record.text,
            }
    return truth


# -- servers --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ensure_venv(cache: Path, name: str, packages: tuple[str, ...], reuse: bool) -> Path:
    """A virtual environment with ``packages``; reused only with ``reuse`` and a done marker."""
    venv = cache / name
    marker = venv / ".installed"
    if reuse and marker.exists():
        return venv
    shutil.rmtree(venv, ignore_errors=True)
    python = shutil.which("python3.11") or sys.executable
    steps = [
        [python, "-m", "venv", str(venv)],
        [str(venv / "bin" / "pip"), "install", "-q", *packages],
    ]
    for step in steps:
        run = subprocess.run(step, capture_output=True, text=True)
        if run.returncode:
            lines = [x for x in run.stderr.splitlines() if x.strip() and "WARNING" not in x]
            raise Unavailable(f"cannot install {' '.join(packages)}: {(lines or ['?'])[-1]}")
    marker.write_text(" ".join(packages) + "\n", encoding="utf-8")
    return venv


@contextlib.contextmanager
def server(command: list[str], env: dict[str, str], log: Path, cwd: Path) -> Iterator[None]:
    """Run ``command`` in its own process group; stop the whole group afterwards."""
    with open(log, "w", encoding="utf-8") as out:
        process = subprocess.Popen(
            command,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            start_new_session=True,
        )
    try:
        yield
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def wait_until(probe: Callable[[], bool], seconds: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, urllib.error.URLError, ValueError):
            if probe():
                return
        time.sleep(2)
    tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-1:] or ["?"]
    raise Unavailable(f"{what} did not start in {seconds:.0f} s: {tail[0][:200]}")


class Api:
    """A tiny JSON client over urllib (no dependency for the project's Python)."""

    def __init__(self, base: str, token: str = "") -> None:
        self.base = base
        self.token = token

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        raw: bytes | None = None,
        content_type: str = "application/json",
    ) -> Any:
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", content_type)
        if self.token:
            request.add_header("Authorization", f"Token {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                payload = response.read()
        except urllib.error.HTTPError as error:
            detail = error.read().decode("utf-8", "replace")[:300]
            raise Mismatch(f"{method} {path}: HTTP {error.code} {detail}") from None
        if not payload:
            return None
        try:
            return json.loads(payload)
        except ValueError:
            return payload.decode("utf-8", "replace")


def check(row: Row, cell: str, problems: list[str], ok: str = "ok") -> None:
    setattr(row, cell, ok if not problems else f"FAIL ({len(problems)})")
    row.detail += [f"{cell}: {p}" for p in problems[:5]]


# -- Label Studio ---------------------------------------------------------------------------


def label_studio(cache: Path, work: Path, logs: list[Path], reuse: bool) -> list[Row]:
    venv = ensure_venv(cache, "label-studio-1.23.2", (LABEL_STUDIO,), reuse)
    data = Path(tempfile.mkdtemp(prefix="ls-data-", dir=work))
    port = free_port()
    token = uuid.uuid4().hex
    env = {
        "LABEL_STUDIO_BASE_DATA_DIR": str(data),
        "LATEST_VERSION_CHECK": "false",
        "COLLECT_ANALYTICS": "false",
    }
    command = [str(venv / "bin" / "label-studio"), "start", "--no-browser"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--data-dir", str(data)]
    command += ["--username", ADMIN_EMAIL, "--password", ADMIN_PASSWORD]
    command += ["--user-token", token, "--enable-legacy-api-token"]
    api = Api(f"http://127.0.0.1:{port}", token)
    log = work / "label-studio.log"
    truth = expected(logs)
    rows = []
    with server(command, env, log, data):
        wait_until(lambda: bool(api.call("GET", "/api/users")), 600, "Label Studio", log)
        users = api.call("GET", "/api/users")
        admin = next(u["id"] for u in users if u["email"] == ADMIN_EMAIL)
        variants = [
            ("labelstudio", {}),
            # ana by e-mail, ben by id: the --ls-user forms a team would use.
            ("labelstudio --ls-user", {"labelstudio_users": {"ana": ADMIN_EMAIL, "ben": admin}}),
        ]
        for name, options in variants:
            rows.append(_label_studio_round(api, work, logs, truth, name, options))
    return rows


def _label_studio_round(
    api: Api,
    work: Path,
    logs: list[Path],
    truth: dict[tuple[str, str], dict[str, Any]],
    name: str,
    options: dict[str, Any],
) -> Row:
    row = Row(name, "Label Studio 1.23.2")
    out = work / f"ls-{len(options)}.json"
    export(logs, "labelstudio", out, **options)
    tasks = json.loads(out.read_text(encoding="utf-8"))
    config = out.with_suffix(".xml").read_text(encoding="utf-8")
    project = api.call(
        "POST", "/api/projects", {"title": f"interop {name}", "label_config": config}
    )
    imported = api.call("POST", f"/api/projects/{project['id']}/import", tasks)
    n_annotations = sum(len(t["annotations"]) for t in tasks)
    problems = []
    if imported.get("task_count") != len(tasks):
        problems.append(f"imported {imported.get('task_count')} tasks of {len(tasks)}")
    if imported.get("annotation_count") != n_annotations:
        problems.append(f"imported {imported.get('annotation_count')} of {n_annotations} answers")
    check(row, "loads", problems, f"ok ({len(tasks)} tasks, {n_annotations} answers)")

    back = api.call("GET", f"/api/projects/{project['id']}/export?exportType=JSON")
    minimal = api.call("GET", f"/api/projects/{project['id']}/export?exportType=JSON_MIN")
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    meta_problems = []
    for task in back:
        data = task["data"]
        for annotation in task["annotations"]:
            regions = {r["from_name"]: r["value"] for r in annotation["result"]}
            analyst = regions.get("analyst", {}).get("text", ["?"])[0]
            seen[(data["sentence_id"], analyst)] = {
                "labels": sorted(regions.get("label", {}).get("choices", [])),
                "note": (regions.get("note", {}).get("text") or [""])[0],
                "flag": bool(regions.get("flag", {}).get("choices")),
                "speaker": data.get("speaker"),
                "document": data.get("document"),
                "turn": data.get("turn"),
                "text": data.get("text"),
                "completed_by": annotation.get("completed_by"),
            }
    label_problems = [
        f"{key}: {want['labels']} came back as {seen.get(key, {}).get('labels')}"
        for key, want in truth.items()
        if seen.get(key, {}).get("labels") != want["labels"]
    ]
    if len(seen) != len(truth):
        label_problems.append(f"{len(seen)} answers read back, {len(truth)} exported")
    check(row, "labels", label_problems)
    for key, want in truth.items():
        got = seen.get(key, {})
        for field_name in ("speaker", "document", "turn", "text"):
            if got.get(field_name) != want[field_name]:
                meta_problems.append(f"{key} {field_name}: {got.get(field_name)!r}")
    # JSON_MIN is what most Label Studio users pass on: every control and no clash.
    for item in minimal[:3]:
        for column in ("sentence_id", "speaker", "document", "turn", "label", "analyst"):
            if column not in item:
                meta_problems.append(f"JSON_MIN has no {column!r}")
    # Each answer is credited to the user --ls-user names (id or e-mail), else to user 1.
    ids = {u["email"]: u["id"] for u in api.call("GET", "/api/users")}
    mapping = options.get("labelstudio_users", {})
    for (_, analyst), got in seen.items():
        user = mapping.get(analyst, 1)
        want_id = ids.get(user) if isinstance(user, str) else user
        if got["completed_by"] != want_id:
            meta_problems.append(f"{analyst} credited to {got['completed_by']}, not {want_id}")
    check(row, "metadata", meta_problems)
    note_problems = [
        f"{key}: note {want['note']!r} / flag {want['flag']} came back as "
        f"{seen.get(key, {}).get('note')!r} / {seen.get(key, {}).get('flag')}"
        for key, want in truth.items()
        if (seen.get(key, {}).get("note"), seen.get(key, {}).get("flag"))
        != (want["note"], want["flag"])
    ]
    n_notes = sum(1 for w in truth.values() if w["note"])
    n_flags = sum(1 for w in truth.values() if w["flag"])
    check(row, "notes", note_problems, f"ok ({n_notes} notes, {n_flags} flags)")
    return row


# -- doccano --------------------------------------------------------------------------------


def doccano(cache: Path, work: Path, logs: list[Path], reuse: bool) -> list[Row]:
    venv = ensure_venv(cache, "doccano-1.8.4", DOCCANO, reuse)
    data = Path(tempfile.mkdtemp(prefix="doccano-data-", dir=work))
    port = free_port()
    env = {
        "DATABASE_URL": f"sqlite:///{data / 'db.sqlite3'}",
        "MEDIA_ROOT": str(data / "media"),
        "DOCCANO_PAGE_SIZE": "100",
    }
    doccano_bin = str(venv / "bin" / "doccano")
    for step in (["init"], ["createuser", "--username", "admin", "--password", ADMIN_PASSWORD]):
        run = subprocess.run(
            [doccano_bin, *step],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            cwd=data,
        )
        if run.returncode:
            tail = (run.stderr.strip().splitlines() or ["?"])[-1]
            raise Unavailable(f"doccano {step[0]} failed: {tail[:200]}")
    site = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import backend, os; print(os.path.dirname(backend.__file__))",
        ],
        capture_output=True,
        text=True,
    ).stdout.strip()
    # `doccano webserver` binds 0.0.0.0; gunicorn is told 127.0.0.1 directly.
    web = [str(venv / "bin" / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "1"]
    web += ["--chdir", site, "config.wsgi"]
    queue = [doccano_bin, "task", "--concurrency", "1"]
    api = Api(f"http://127.0.0.1:{port}")
    rows = []
    with (
        server(web, env, work / "doccano-web.log", data),
        server(queue, env, work / "doccano-task.log", data),
    ):

        def login() -> bool:
            key = api.call(
                "POST", "/v1/auth/login/", {"username": "admin", "password": ADMIN_PASSWORD}
            )
            api.token = key["key"]
            return True

        wait_until(login, 300, "doccano", work / "doccano-web.log")
        truth = expected(logs)
        rows.append(_doccano_round(api, work, logs, truth, split=False))
        rows.append(_doccano_round(api, work, logs, truth, split=True))
    return rows


def _doccano_import(api: Api, name: str, path: Path) -> tuple[int, list[dict[str, Any]], str]:
    project = api.call(
        "POST",
        "/v1/projects",
        {
            "name": name,
            "description": "annotator interop",
            "project_type": "DocumentClassification",
            "resourcetype": "TextClassificationProject",
            "guideline": "",
        },
    )
    pid = project["id"]
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="filepond"; '
            f'filename="{path.name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        ).encode()
        + path.read_bytes()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    upload = api.call(
        "POST",
        "/v1/fp/process/",
        raw=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    task = api.call(
        "POST",
        f"/v1/projects/{pid}/upload",
        {
            "format": "JSONL",
            "task": "DocumentClassification",
            "uploadIds": [str(upload).strip()],
            "column_data": "text",
            "column_label": "label",
            "encoding": "utf_8",
        },
    )
    deadline = time.monotonic() + 120
    while True:
        status = api.call("GET", f"/v1/tasks/status/{task['task_id']}")
        if status.get("ready"):
            break
        if time.monotonic() > deadline:
            raise Mismatch("doccano's import task did not finish in 120 s")
        time.sleep(1)
    errors = (status.get("result") or {}).get("error") or []
    types = {t["id"]: t["text"] for t in api.call("GET", f"/v1/projects/{pid}/category-types")}
    examples = []
    offset = 0
    while True:
        page = api.call("GET", f"/v1/projects/{pid}/examples?limit=100&offset={offset}")
        for example in page["results"]:
            categories = api.call("GET", f"/v1/projects/{pid}/examples/{example['id']}/categories")
            example["labels"] = sorted(types[c["label"]] for c in categories)
            examples.append(example)
        if not page.get("next"):
            break
        offset += 100
    return pid, examples, "; ".join(str(e) for e in errors[:2])


def _doccano_round(
    api: Api,
    work: Path,
    logs: list[Path],
    truth: dict[tuple[str, str], dict[str, Any]],
    split: bool,
) -> Row:
    name = "doccano --split-by annotator" if split else "doccano"
    row = Row(name, "doccano 1.8.4")
    out = work / f"doccano-{int(split)}.jsonl"
    result = export(logs, "doccano", out, **({"split_by": "annotator"} if split else {}))
    files = list(result.files)
    load_problems: list[str] = []
    label_problems: list[str] = []
    meta_problems: list[str] = []
    note_problems: list[str] = []
    total = 0
    for path in files:
        lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
        total += len(lines)
        _, examples, errors = _doccano_import(api, f"interop {path.name}", path)
        if errors:
            load_problems.append(f"{path.name}: {errors}")
        if len(examples) != len(lines):
            load_problems.append(f"{path.name}: {len(examples)} of {len(lines)} examples")
        by_id = {e["meta"].get("id"): e for e in examples}
        for line in lines:
            got = by_id.get(line["id"])
            if got is None:
                continue
            if got["labels"] != sorted(line["label"]):
                label_problems.append(f"{line['id']}: {line['label']} -> {got['labels']}")
            if split:
                want = truth[(line["id"], line["annotators"][0])]
                if sorted(line["label"]) != want["labels"]:
                    label_problems.append(f"{line['id']}: not the analyst's own labels")
            for key in ("document", "speaker", "turn", "start", "end", "annotators"):
                if got["meta"].get(key) != line[key]:
                    meta_problems.append(f"{line['id']} {key}: {got['meta'].get(key)!r}")
            if got["text"] != line["text"]:
                meta_problems.append(f"{line['id']}: text changed")
            if (got["meta"].get("note"), got["meta"].get("flag")) != (line["note"], line["flag"]):
                note_problems.append(f"{line['id']}: note/flag {got['meta'].get('note')!r}")
    check(row, "loads", load_problems, f"ok ({len(files)} file(s), {total} examples)")
    check(row, "labels", label_problems)
    check(row, "metadata", meta_problems)
    check(row, "notes", note_problems, "ok (as metadata)")
    return row


# -- the table ------------------------------------------------------------------------------


def table(rows: list[Row]) -> str:
    head = ("format", "tool", "loads", "labels", "metadata", "notes")
    cells = [head] + [(r.format, r.tool, r.loads, r.labels, r.metadata, r.notes) for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(head))]
    lines = [
        "| " + " | ".join(c[i].ljust(widths[i]) for i in range(len(head))) + " |" for c in cells
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="interop/run", description=__doc__.splitlines()[0])
    parser.add_argument("--strict", action="store_true", help="fail when a tool cannot be had")
    parser.add_argument(
        "--tool", action="append", choices=("label-studio", "doccano"), help="only this tool"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="reuse the tool environments of an earlier run"
    )
    parser.add_argument(
        "--cache",
        type=Path,
        default=Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
        / "annotator-interop",
        help="where the tools' virtual environments go (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    tools = {"label-studio": label_studio, "doccano": doccano}
    wanted = args.tool or list(tools)
    args.cache.mkdir(parents=True, exist_ok=True)
    rows: list[Row] = []
    unavailable = failed = 0
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="annotator-interop-") as tmp:
        work = Path(tmp)
        logs, _, _ = build_logs(work)
        for name in wanted:
            began = time.monotonic()
            try:
                rows += tools[name](args.cache, work, logs, args.reuse)
            except Unavailable as error:
                unavailable += 1
                print(f"interop: {name} unavailable: {error}", file=sys.stderr)
                continue
            except Mismatch as error:
                failed += 1
                rows.append(Row(name, name, loads=f"FAIL: {error}"[:120]))
            print(f"interop: {name} done in {time.monotonic() - began:.0f} s", file=sys.stderr)
    print(table(rows))
    for row in rows:
        for line in row.detail:
            print(f"  {row.format} / {row.tool}: {line}")
    failed += sum(1 for r in rows if not r.ok)
    print(
        f"interop: {len(rows)} round trips, {failed} failed, {unavailable} tools unavailable, "
        f"{time.monotonic() - started:.0f} s",
        file=sys.stderr,
    )
    if failed or (unavailable and args.strict):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
