"""The CLI's one error and exit-code layer (错误与退出码).

- `fail(reason, code)` prints one line `错误 / error: …` on stderr and ends the command with a named
  exit code (govcloud.errors.ExitCode);
- `report_error(exc)` does the same for a GovcloudError (file, field, reason);
- `guard(main)` runs the whole CLI: a GovcloudError that no command caught ends with its own exit
  code, any other exception with "internal error" and exit 2 (never a traceback, unless
  GOVCLOUD_DEBUG=1), Ctrl-C with 130. In machine-readable mode (`--json`, `--format json`) the error
  is also printed on stdout as a `govcloud.error/v1` document, so a script never parses a
  half-written result.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import NoReturn

import typer

from govcloud.errors import ExitCode, GovcloudError

PREFIX = "错误 / error"


def machine_readable(argv: Sequence[str]) -> bool:
    """Whether the command line asked for JSON output (`--json`, `--format json`, `--format=json`)."""
    args = list(argv)
    if "--json" in args or "--format=json" in args:
        return True
    return any(
        a in {"--format", "-f"} and i + 1 < len(args) and args[i + 1] == "json" for i, a in enumerate(args)
    )


def _emit(error: GovcloudError, argv: Sequence[str]) -> None:
    typer.echo(f"{PREFIX}: {error.render()}", err=True)
    if machine_readable(argv):
        typer.echo(json.dumps(error.to_json(), ensure_ascii=False, indent=2))


def error_exit(
    reason: str, code: ExitCode = ExitCode.INPUT, *, file: str | None = None, field: str | None = None
) -> typer.Exit:
    """Print the error and return the Exit that ends the command (`raise error_exit(...)`)."""
    _emit(GovcloudError(reason, file=file, field=field), sys.argv[1:])
    return typer.Exit(int(code))


def fail(
    reason: str, code: ExitCode = ExitCode.INPUT, *, file: str | None = None, field: str | None = None
) -> NoReturn:
    """End the running command: one line on stderr (and the error document in JSON mode), then `code`."""
    raise error_exit(reason, code, file=file, field=field)


def report_error(error: GovcloudError, code: ExitCode | None = None) -> NoReturn:
    _emit(error, sys.argv[1:])
    raise typer.Exit(int(code if code is not None else error.exit_code))


class InternalError(GovcloudError):
    """An exception govcloud did not expect: a bug. Reported as data, exit 2."""

    kind = "internal"


def guard(run: Callable[[], object], argv: Sequence[str] | None = None) -> int:
    """Run the CLI; turn every exception into a message and a documented exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        run()
    except SystemExit as exc:  # typer/click end commands this way
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else int(ExitCode.INPUT))
    except KeyboardInterrupt:
        typer.echo(f"{PREFIX}: interrupted / 已中断", err=True)
        return 130
    except GovcloudError as exc:
        _emit(exc, args)
        return int(exc.exit_code)
    except Exception as exc:
        if os.environ.get("GOVCLOUD_DEBUG"):
            traceback.print_exception(exc)
        where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
        at = f" at {os.path.basename(where.filename)}:{where.lineno}" if where else ""
        reason = (
            f"internal error 内部错误: {type(exc).__name__}: {exc}{at}. This is a bug in govcloud: "
            "re-run with GOVCLOUD_DEBUG=1 for the traceback and report it "
            "/ 请用 GOVCLOUD_DEBUG=1 重新运行并报告"
        )
        _emit(InternalError(reason), args)
        return int(ExitCode.INPUT)
    return int(ExitCode.OK)
