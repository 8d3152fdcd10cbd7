"""The `rspl` command line.

Exit codes: 0 success (warnings allowed), 1 policy errors or failing tests, 2 usage errors.
Heavy modules (backends, templates) are imported only by the commands that need them, so
`rspl check` starts fast.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

from rspl import __version__

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"rspl: error: {message}\n")
        raise SystemExit(EXIT_USAGE)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="rspl", description="The Responsible Scaling Policy Language compiler.")
    p.add_argument("--version", action="version", version=f"rspl {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    check = sub.add_parser("check", help="check policies and report problems")
    check.add_argument("files", nargs="+", metavar="FILE")
    check.add_argument(
        "--format",
        choices=("snippet", "concise", "json"),
        default="snippet",
        help="snippet (default): source with carets; concise: one line each; json",
    )
    check.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour snippets (auto: when writing to a terminal)",
    )

    explain = sub.add_parser("explain", help="explain a diagnostic code, e.g. E0201")
    explain.add_argument("code")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code) if isinstance(exc.code, int) else EXIT_USAGE
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    if args.command == "check":
        return cmd_check(args.files, args.format, args.color)
    if args.command == "explain":
        return cmd_explain(args.code)
    return EXIT_USAGE  # pragma: no cover - argparse rejects other commands


def _use_color(choice: str) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def cmd_check(files: Sequence[str], fmt: str, color: str) -> int:
    from rspl.pipeline import compile_file
    from rspl.render import render, summary, to_json

    status = EXIT_OK
    reports: list[dict[str, object]] = []
    for path in files:
        try:
            result = compile_file(path)
        except (OSError, UnicodeDecodeError) as exc:
            sys.stderr.write(f"rspl: error: cannot read {path}: {_reason(exc)}\n")
            return EXIT_USAGE
        diags = result.diagnostics
        if not result.ok:
            status = EXIT_ERRORS
        if fmt == "json":
            reports.append({"file": path, "ok": result.ok, **to_json(diags)})
            continue
        sys.stdout.write(render(diags, result.texts, fmt, _use_color(color)))
        if fmt == "snippet":
            verdict = "ok" if result.ok else "failed"
            sys.stdout.write(f"{path}: {verdict} ({summary(diags)})\n")
    if fmt == "json":
        sys.stdout.write(json.dumps({"files": reports}, indent=2, sort_keys=True) + "\n")
    return status


def _reason(exc: BaseException) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return "it is not UTF-8 text"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return str(exc)


def cmd_explain(code: str) -> int:
    from rspl.explain import explain

    text = explain(code.upper())
    if text is None:
        sys.stderr.write(f"rspl: error: no diagnostic code {code!r}; codes look like E0201\n")
        return EXIT_USAGE
    sys.stdout.write(text)
    return EXIT_OK
