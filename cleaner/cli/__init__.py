"""The `cleaner` command: a thin typer shell over the library.

Data goes to stdout, messages to stderr. Exit codes: 0 all good, 1 some input failed,
2 usage error, 130 / 143 stopped by Ctrl-C / SIGTERM.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .. import __version__

if TYPE_CHECKING:
    from ..api import Cleaner

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Clean article text from scraped news pages: trafilatura extraction plus a trained "
    "filter that removes related-article teasers, newsletter and share prompts, photo "
    "credits and other junk lines.\n\nExample:\n\n  cleaner clean page.html\n\n"
    "  cleaner clean scraped/ -o clean/",
)


def article_clause(thresholds: dict[str, Any], joiner: str) -> str:
    """How a model's thresholds treat pages that declare themselves articles ("" when alike)."""
    article = thresholds.get("article_threshold", 1.0)
    return f"{joiner}none above {article} on pages that declare themselves articles" if article < 1.0 else ""


def _version(value: bool) -> None:
    if value:
        from ..config import METADATA_THRESHOLD
        from ..errors import ModelError
        from ..model import default_model_dir, read_card

        typer.echo(f"cleaner {__version__}")
        try:
            rule = read_card(default_model_dir())["decision_rule"]
            typer.echo(
                f"model: {default_model_dir()}; lines go at junk probability {rule['trailing_threshold']} "
                f"in the trailing run, {rule['inner_threshold']} elsewhere "
                f"({rule['cue_threshold']} with a boilerplate cue, {METADATA_THRESHOLD} for a byline, "
                f"stamp or reading time on a page), {rule['text_threshold']} in plain text's trailing run"
                + article_clause(rule, "; ")
                # so that no one passes the value printed first expecting no change
                + ". `--threshold X` puts both trailing runs at X and raises any other threshold below X to X"
            )
        except (ModelError, KeyError, TypeError) as exc:  # the version is still worth printing
            typer.echo(f"model: unavailable ({exc})")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_version,
            is_eager=True,
            help="Print the version and the shipped model's thresholds, and exit.",
        ),
    ] = False,
) -> None:
    """Clean article text from scraped news pages."""


def err(message: str) -> None:
    """Print a message to stderr (data goes to stdout)."""
    # sys.stderr as it is now, not click's stream: under a progress bar it is rich's proxy,
    # which prints the message above the bar instead of onto its line
    if sys.stderr is not None:  # None when closed (`2>&-`): print would write to stdout, the data
        print(message, file=sys.stderr, flush=True)


def names_folder(argument: str) -> bool:
    """Whether a path argument ends in a separator ("out/"), which names a folder."""
    return argument.endswith(("/", os.sep))  # a Path drops the separator: test the string


def usage(message: str) -> typer.Exit:
    """Print a usage error; the Exit to raise for it (code 2)."""
    err(f"Usage error: {message}")
    return typer.Exit(2)


#: the command-line option that sets each Settings field the commands pass on
OPTION_OF_SETTING = {"trailing_threshold": "--threshold", "time_limit": "--time-limit"}


def load_cleaner(model: Path | None, **options: Any) -> Cleaner:
    """The Cleaner for these options. An option value it cannot take (named by its option), or
    a --model folder that cannot be loaded, is a usage error (exit 2); the shipped model
    failing to load is an error of the installation (exit 1)."""
    from ..api import Cleaner
    from ..errors import CleanerError, ConfigError

    try:
        return Cleaner(model=model, **options)
    except ConfigError as exc:
        option = OPTION_OF_SETTING.get(exc.setting or "")
        raise usage(exc.naming(option) if option else str(exc)) from exc
    except CleanerError as exc:
        if model is not None:
            raise usage(f"--model {model}: {exc}") from exc
        err(f"error: {exc}")
        raise typer.Exit(1) from exc


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where Ctrl-C raises KeyboardInterrupt: one path stops a run either way."""


def stopped(exc: KeyboardInterrupt) -> tuple[str, int]:
    """How a stopped run is told and its exit code: 128 + the signal's number, as a shell
    reports a command ended by it."""
    if isinstance(exc, Terminated):
        return "terminated", 128 + signal.SIGTERM
    return "interrupted", 128 + signal.SIGINT


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM (`kill`, a service manager stopping the job) stops a run as Ctrl-C does:
    outputs written so far kept, temporary files removed, workers stopped."""

    def stop(signum: int, frame: Any) -> None:
        raise Terminated

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread (a test runner's): signals stay as they are
        yield
        return
    try:
        yield
    finally:  # a handler set from C reads as None: the default stands in for it
        signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)


class _ClosedStdout(io.TextIOBase):
    """Stands in for a stdout the process started without (`>&-`): data written to it fails
    as a write to a closed descriptor does, with an error line rather than a traceback."""

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, "stdout is closed (redirect it to a file, or give -o)")


def main() -> None:
    """Console-script entry point."""
    if sys.stdout is None:
        sys.stdout = _ClosedStdout()
    try:
        app()
    except OSError as exc:  # --help, --version or evaluate's tables written to the stand-in
        if not isinstance(sys.stdout, _ClosedStdout) or exc.errno != errno.EBADF:
            raise
        err(f"error: {exc.strerror}")
        sys.exit(1)
    except Exception as exc:
        # Ctrl-C inside a library's compiled code (scikit-learn's fit) can surface as another
        # error raised while handling it: the run was stopped, not broken
        interrupt = _interrupt_behind(exc)
        if interrupt is None:
            raise
        how, code = stopped(interrupt)
        err(how)
        sys.exit(code)


def _interrupt_behind(exc: BaseException) -> KeyboardInterrupt | None:
    """The KeyboardInterrupt (or SIGTERM's) an exception was raised in handling, if any."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, KeyboardInterrupt):
            return cause
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return None


# the commands register themselves on `app`
from . import clean, review, train  # noqa: E402, F401

__all__ = ["app", "main"]
