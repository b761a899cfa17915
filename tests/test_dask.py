"""The batch on a real Dask cluster (LocalCluster, 2 worker processes on loopback)."""

from __future__ import annotations

import contextlib
import gzip
import json
import re
import socketserver
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cleaner import Cleaner, ConfigError, SchedulerError
from cleaner.cli import app
from cleaner.decoding import decode

from .conftest import CASES, SEED, output_tree

distributed = pytest.importorskip("distributed")
import dask.bag as db  # noqa: E402

PAGES = sorted((CASES / "pages").glob("*.html"))


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        yield cluster.scheduler_address


def _inputs(root: Path) -> Path:
    src = root / "in"
    for i in range(3):
        (src / f"part{i}").mkdir(parents=True)
        for page in PAGES:
            (src / f"part{i}" / page.name).write_bytes(page.read_bytes())
    (src / "seed.txt").write_bytes(SEED.read_bytes())
    (src / "broken.html").write_bytes(b"\x00\x01binary\x00")
    return src


def test_cluster_run_matches_the_local_run(scheduler: str, tmp_path: Path) -> None:
    src = _inputs(tmp_path)
    runs = {}
    for name, extra in {"local": ["-j", "1"], "dask": ["--scheduler", scheduler]}.items():
        errors = tmp_path / f"{name}-errors.jsonl"
        result = CliRunner().invoke(
            app, ["clean", str(src), "-o", str(tmp_path / name), "--errors", str(errors), *extra]
        )
        assert result.exit_code == 1, result.output  # broken.html fails in both
        runs[name] = (output_tree(tmp_path / name), errors.read_text(encoding="utf-8"), result.stderr)
    assert runs["dask"][0] == runs["local"][0]
    assert len(runs["local"][0]) == 3 * len(PAGES) + 1
    assert runs["dask"][1] == runs["local"][1]
    assert json.loads(runs["dask"][1])["path"].endswith("broken.html")
    assert runs["dask"][2].splitlines()[-1] == runs["local"][2].splitlines()[-1]  # same summary


def test_unreachable_scheduler_is_an_error_not_local_work(tmp_path: Path) -> None:
    src = _inputs(tmp_path)
    start = time.monotonic()
    result = CliRunner().invoke(
        app, ["clean", str(src), "-o", str(tmp_path / "out"), "--scheduler", "tcp://127.0.0.1:9"]
    )
    assert time.monotonic() - start < 30
    assert result.exit_code == 1
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.stderr
    assert not (tmp_path / "out").exists()  # the cluster is reached before the folder is made


class _NotAScheduler(socketserver.BaseRequestHandler):
    """A server in another protocol: it answers "400" at once, or never says anything."""

    answers = False

    def handle(self) -> None:
        if self.answers:
            self.request.sendall(b"HTTP/1.0 400 Bad Request\r\n\r\n")
        self.request.settimeout(5)
        with contextlib.suppress(OSError):
            while self.request.recv(1 << 16):  # reads the client's handshake, says nothing back
                pass


@pytest.mark.parametrize("answers", [True, False])
def test_a_server_that_is_not_a_scheduler_is_an_error_not_a_hang(
    answers: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cleaner.dask

    monkeypatch.setattr(cleaner.dask, "CONNECT_TIMEOUT", 1)
    monkeypatch.setattr(cleaner.dask, "CONNECT_MARGIN", 1)
    handler = type("Handler", (_NotAScheduler,), {"answers": answers})
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    address = f"tcp://127.0.0.1:{server.server_address[1]}"
    start = time.monotonic()
    with (
        pytest.raises(SchedulerError, match=r"not as a Dask scheduler.*not its dashboard's"),
        cleaner.dask.connect(address),
    ):
        pass
    assert time.monotonic() - start < 10
    server.shutdown()
    server.server_close()


def test_a_tls_address_without_tls_settings_is_a_scheduler_error() -> None:
    import cleaner.dask

    with (
        pytest.raises(SchedulerError, match=r"tls://127\.0\.0\.1:1 \(TypeError: TLS expects"),
        cleaner.dask.connect("tls://127.0.0.1:1"),
    ):
        pass


def test_clean_bag_maps_over_records_and_paths(scheduler: str, tmp_path: Path) -> None:
    from cleaner.dask import clean_bag

    records = [
        {"id": p.stem, "url": f"https://example.org/{p.name}", "html": decode(p.read_bytes())} for p in PAGES
    ]
    records.append({"id": "no-html"})
    paths = [*PAGES, tmp_path / "missing.html"]
    with distributed.Client(scheduler):
        cleaned = clean_bag(db.from_sequence(records, npartitions=4)).compute()
        from_paths = clean_bag(db.from_sequence([str(p) for p in paths], npartitions=3)).compute()
    cleaner = Cleaner()
    for record, out in zip(records[:-1], cleaned[:-1], strict=True):
        assert out["id"] == record["id"]
        assert out["clean_text"] == cleaner.clean_html(record["html"], url=record["url"]).text
    assert cleaned[-1]["clean_error"]["error"] == "InputError"
    assert [o["path"] for o in from_paths] == [str(p) for p in paths]
    for page, out in zip(PAGES, from_paths, strict=False):
        assert out["clean_text"] == cleaner.clean_html(page.read_bytes()).text
    assert "vanished" in from_paths[-1]["clean_error"]["message"]


def test_clean_bag_takes_bytes_records_and_reports_odd_items(tmp_path: Path) -> None:
    """A record's page may be bytes, as scrapers hold it; an item that is neither a path nor a
    record, or a folder's path, comes back as a failure, without failing the computation."""
    from cleaner.dask import clean_bag

    page = PAGES[0].read_bytes()
    items = [{"id": "bytes", "html": page}, None, 3, str(tmp_path)]
    out = clean_bag(db.from_sequence(items, npartitions=1)).compute(scheduler="sync")
    assert out[0]["clean_text"] == Cleaner().clean_html(page).text != ""
    for bad in out[1:]:
        assert bad["clean_error"]["error"] == "InputError"
    assert "a path or a record" in out[1]["clean_error"]["message"]
    assert "a path or a record" in out[2]["clean_error"]["message"]
    assert out[3]["clean_error"]["message"] == "a folder, not a file: give the files in it"
    (nul,) = clean_bag(db.from_sequence(["in/a\0.html"])).compute(scheduler="sync")
    assert nul["clean_error"] == {
        "path": "in/a\x00.html",
        "error": "InputError",
        "message": "cannot stat: embedded null byte",
    }


def test_clean_bag_refuses_a_record_over_max_bytes_and_a_page_given_as_a_path(tmp_path: Path) -> None:
    """max_bytes holds for records as for paths; a page's text where a path goes (a bag of
    read_text) fails as such, without the page in the failure."""
    from cleaner.dask import SHOWN_CHARS, clean_bag

    page = PAGES[0].read_text(encoding="utf-8", errors="replace")
    big, small, text = clean_bag(
        db.from_sequence([{"url": "u", "html": page}, {"html": "<p>short</p>"}, page]), max_bytes=1000
    ).compute(scheduler="sync")
    assert big["clean_error"]["path"] == "u"
    assert re.fullmatch(
        r"field 'html': [\d,]+ bytes, over the 1,000-byte limit \(raise the limit.*",
        big["clean_error"]["message"],
    )
    assert "clean_error" not in small
    assert "reads as a page's text: give records ({'html': page}) or paths" in text["clean_error"]["message"]
    assert text["path"] == text["clean_error"]["path"] == page[:SHOWN_CHARS] + "…"
    # the limit is on the page, not on its gzip'd bytes; a file may have "<" in its name
    odd = tmp_path / "odd<name>.html"
    odd.write_bytes(PAGES[0].read_bytes())
    zipped, named = clean_bag(
        db.from_sequence([{"html": gzip.compress(page.encode())}, str(odd)]), max_bytes=1000
    ).compute(scheduler="sync")
    assert "gzip data inflates past 1,000 bytes" in zipped["clean_error"]["message"]
    assert "clean_error" not in clean_bag(db.from_sequence([str(odd)])).compute(scheduler="sync")[0]
    assert "over the 1,000-byte limit" in named["clean_error"]["message"]


def test_clean_bag_of_something_else_than_a_bag_is_a_config_error() -> None:
    from cleaner.dask import clean_bag

    with pytest.raises(
        ConfigError, match=r"bag must be a dask.bag.Bag \(dask.bag.from_sequence\(items\)\), not list"
    ):
        clean_bag([{"html": "<p>x</p>"}])


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"kind": "pdf"}, "kind must be auto, html or text, not 'pdf'"),
        ({"field": ""}, "field must name the records' field to clean"),
        ({"cleaner": "x"}, "cleaner must be a cleaner.Cleaner, not str"),
        ({"max_bytes": "5"}, "max_bytes must be a positive whole number of bytes, not '5'"),
        ({"max_bytes": 0}, "max_bytes must be a positive"),
    ],
)
def test_clean_bag_refuses_bad_options_before_any_work(options: dict, message: str) -> None:
    from cleaner.dask import clean_bag

    with pytest.raises(ConfigError, match=message):
        clean_bag(db.from_sequence([{"html": "<p>x</p>"}]), **options)


def test_readme_example_runs_as_written(
    scheduler: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's clean_bag example, with this test's cluster for the example's address."""
    import gzip

    from .conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    code = readme.split("<!-- dask example: a test runs this block -->", 1)[1].split("```python", 1)[1]
    code = code.split("```", 1)[0].replace("tcp://scheduler.example:8786", scheduler)
    (tmp_path / "crawl").mkdir()
    records = [{"url": f"https://example.org/{p.name}", "html": decode(p.read_bytes())} for p in PAGES]
    lines = "".join(json.dumps(r) + "\n" for r in records)
    (tmp_path / "crawl" / "part0.jsonl.gz").write_bytes(gzip.compress(lines.encode()))
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "__main__"}
    try:
        exec(compile(code, "README.md", "exec"), namespace)
    finally:
        if "client" in namespace:
            namespace["client"].close()
    parts = sorted((tmp_path / "clean").glob("*.jsonl.gz"))
    out = [json.loads(line) for f in parts for line in gzip.decompress(f.read_bytes()).decode().splitlines()]
    assert [o["url"] for o in out] == [r["url"] for r in records]
    for o, r in zip(out, records, strict=True):
        assert o["clean_text"] == Cleaner().clean_html(r["html"], url=r["url"]).text
