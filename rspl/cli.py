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
from typing import Any

from rspl import __version__

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2
TARGETS = ("python", "markdown", "jsonschema", "html")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"rspl: error: {message}\n")
        raise SystemExit(EXIT_USAGE)


def _add_import_path(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--import-path",
        action="append",
        default=[],
        metavar="DIR",
        help="also allow imports of files under DIR (repeatable); by default a policy may "
        "import only files inside its own folder",
    )


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
    _add_import_path(check)

    explain = sub.add_parser("explain", help="explain a diagnostic code, e.g. E0201")
    explain.add_argument("code")

    build = sub.add_parser("build", help="compile a policy to its outputs")
    build.add_argument("file", metavar="FILE")
    build.add_argument("-o", "--output", required=True, metavar="DIR", help="output folder")
    build.add_argument(
        "--target",
        choices=TARGETS,
        action="append",
        help="what to build (repeatable); default: everything",
    )
    build.add_argument(
        "--templates",
        metavar="DIR",
        help="override the Markdown templates (the HTML edition follows them)",
    )
    build.add_argument(
        "--full-catalogue",
        action="store_true",
        help="list every declaration of the imported files in the document, used or not",
    )
    _add_import_path(build)

    test = sub.add_parser("test", help="run the scenarios in policies")
    test.add_argument("files", nargs="+", metavar="FILE")
    _add_import_path(test)

    ev = sub.add_parser("eval", help="decide an assessment under a policy")
    ev.add_argument("file", metavar="POLICY")
    ev.add_argument("assessment", metavar="ASSESSMENT.json")
    ev.add_argument("--context", action="append", metavar="C", help="only this context")
    ev.add_argument("--explain", action="store_true", help="show why each rule fired")
    ev.add_argument("--format", choices=("text", "json"), default="text")
    ev.add_argument(
        "--why-not", metavar="CONTEXT", dest="why_not",
        help="the minimal sets of changes that would permit CONTEXT",
    )
    ev.add_argument("--max-changes", type=int, default=8, metavar="N",
                    help="with --why-not: at most N changes per set (default 8)")
    _add_import_path(ev)
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
    if args.command == "explain":
        return cmd_explain(args.code)
    for folder in args.import_path:
        if not os.path.isdir(folder):
            sys.stderr.write(f"rspl: error: --import-path {_shown(folder)}: not a folder\n")
            return EXIT_USAGE
    roots = tuple(args.import_path)
    if args.command == "check":
        return cmd_check(args.files, args.format, args.color, roots)
    if args.command == "build":
        targets = args.target or list(TARGETS)
        return cmd_build(
            args.file, args.output, targets, args.templates, roots,
            full_catalogue=args.full_catalogue,
        )  # fmt: skip
    if args.command == "test":
        return cmd_test(args.files, roots)
    if args.command == "eval":
        if args.why_not is not None:
            return cmd_why_not(
                args.file, args.assessment, args.why_not, args.max_changes, args.format, roots
            )
        return cmd_eval(
            args.file, args.assessment, args.context, args.explain, args.format, roots
        )
    return EXIT_USAGE  # pragma: no cover - argparse rejects other commands


def _use_color(choice: str) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def cmd_check(
    files: Sequence[str], fmt: str, color: str, import_path: Sequence[str] = ()
) -> int:
    from rspl.loader import FileRefusedError
    from rspl.pipeline import compile_file
    from rspl.render import render, summary, to_json

    status = EXIT_OK
    reports: list[dict[str, object]] = []
    for path in files:
        try:
            result = compile_file(path, build_ir=False, import_path=import_path)
        except (OSError, FileRefusedError) as exc:
            sys.stderr.write(f"rspl: error: cannot read {_shown(path)}: {_reason(exc)}\n")
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


def _shown(path: str) -> str:
    """A path typed by the user, with anything unprintable escaped."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in path)


def _reason(exc: BaseException) -> str:
    from rspl.loader import FileRefusedError

    if isinstance(exc, FileRefusedError):
        return exc.why
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


def _compile_or_report(path: str, import_path: Sequence[str]) -> Any:
    """The compilation of `path`, or an exit code after printing why there is none."""
    from rspl.loader import FileRefusedError
    from rspl.pipeline import compile_file
    from rspl.render import render

    try:
        result = compile_file(path, import_path=import_path)
    except (OSError, FileRefusedError) as exc:
        sys.stderr.write(f"rspl: error: cannot read {_shown(path)}: {_reason(exc)}\n")
        return EXIT_USAGE
    if not result.ok:
        sys.stderr.write(render(result.diagnostics, result.texts, "snippet", _use_color("auto")))
        sys.stderr.write(f"{path}: failed, nothing was built\n")
        return EXIT_ERRORS
    return result


def cmd_build(
    path: str,
    output: str,
    targets: Sequence[str],
    templates: str | None,
    import_path: Sequence[str] = (),
    *,
    full_catalogue: bool = False,
) -> int:
    from rspl.build import TemplateError, write_outputs

    if templates is not None and not os.path.isdir(templates):
        sys.stderr.write(f"rspl: error: --templates {templates}: not a folder\n")
        return EXIT_USAGE
    result = _compile_or_report(path, import_path)
    if isinstance(result, int):
        return result
    policy = result.policy
    del result  # the program and its resolution are not needed by the backends: free them
    try:
        written = write_outputs(policy, output, targets, templates, full_catalogue=full_catalogue)
    except OSError as exc:
        sys.stderr.write(f"rspl: error: cannot write to {output}: {_reason(exc)}\n")
        return EXIT_USAGE
    except TemplateError as exc:
        sys.stderr.write(f"rspl: error: a Markdown template failed: {exc}\n")
        return EXIT_USAGE
    for name in written:
        sys.stdout.write(f"wrote {name}\n")
    return EXIT_OK


class _Failed:
    """An assessment file that could not be read (the error is already written)."""


def _read_assessment(assessment_path: str) -> Any:
    try:
        with open(assessment_path, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, UnicodeDecodeError) as exc:
        sys.stderr.write(f"rspl: error: cannot read {assessment_path}: {_reason(exc)}\n")
    except json.JSONDecodeError as exc:
        sys.stderr.write(f"rspl: error: {assessment_path} is not JSON: {exc}\n")
    except RecursionError:  # Python's JSON reader recurses once per level of nesting
        sys.stderr.write(f"rspl: error: {assessment_path} is nested too deeply to read\n")
    return _Failed()


def cmd_why_not(
    path: str,
    assessment_path: str,
    context: str,
    max_changes: int,
    fmt: str,
    import_path: Sequence[str] = (),
) -> int:
    """`rspl eval --why-not CONTEXT`: what would permit a blocked context (rspl/whynot.py)."""
    from rspl.interpreter import AssessmentError
    from rspl.whynot import why_not_text
    from rspl.whynot_table import context_title, why_not

    if max_changes < 1:
        sys.stderr.write("rspl: error: --max-changes must be at least 1\n")
        return EXIT_USAGE
    result = _compile_or_report(path, import_path)
    if isinstance(result, int):
        return result
    assessment = _read_assessment(assessment_path)
    if isinstance(assessment, _Failed):
        return EXIT_USAGE
    try:
        answer = why_not(result.policy, assessment, context, max_size=max_changes)
    except AssessmentError as exc:
        sys.stderr.write(f"rspl: error: bad assessment: {exc}\n")
        return EXIT_ERRORS
    if fmt == "json":
        sys.stdout.write(json.dumps(answer, indent=2, sort_keys=True) + "\n")
    else:
        sys.stdout.write(why_not_text(answer, context_title(result.policy, context)))
    return EXIT_OK


def cmd_eval(
    path: str,
    assessment_path: str,
    contexts: list[str] | None,
    explain: bool,
    fmt: str,
    import_path: Sequence[str] = (),
) -> int:
    from rspl.interpreter import AssessmentError, evaluate
    from rspl.report import decision_text

    result = _compile_or_report(path, import_path)
    if isinstance(result, int):
        return result
    assessment = _read_assessment(assessment_path)
    if isinstance(assessment, _Failed):
        return EXIT_USAGE
    if contexts and isinstance(assessment, dict):
        assessment = {**assessment, "contexts": contexts}
    try:
        decision = evaluate(result.policy, assessment, explain=explain)
    except AssessmentError as exc:
        sys.stderr.write(f"rspl: error: bad assessment: {exc}\n")
        return EXIT_ERRORS
    if fmt == "json":
        sys.stdout.write(json.dumps(decision, indent=2, sort_keys=True) + "\n")
    else:
        sys.stdout.write(decision_text(decision, explain))
    return EXIT_OK


def cmd_test(files: Sequence[str], import_path: Sequence[str] = ()) -> int:
    from rspl.testing import run_scenarios

    passed = failed = 0
    for path in files:
        result = _compile_or_report(path, import_path)
        if isinstance(result, int):
            if result == EXIT_USAGE:
                return result
            failed += 1
            continue
        results = run_scenarios(result.policy)
        ok = sum(r.ok for r in results)
        sys.stdout.write(f"{path}: {ok} of {len(results)} scenarios passed\n")
        for scenario in results:
            if scenario.ok:
                passed += 1
                continue
            failed += 1
            where = _typed(path, scenario.origin)
            sys.stdout.write(f"FAIL {where}: scenario `{scenario.name}`\n")
            for f in scenario.failures:
                sys.stdout.write(f"  at {_typed(path, f.origin)}:\n")
                sys.stdout.write(f"  - expected {f.expected}\n")
                sys.stdout.write(f"  + actual   {f.actual}\n")
    sys.stdout.write(f"{passed} passed, {failed} failed\n")
    return EXIT_OK if failed == 0 else EXIT_ERRORS


def _typed(main: str, origin: Any) -> str:
    """`FILE:LINE` of an IR origin for the terminal: the IR names files relative to the main
    policy's folder (so builds are reproducible); shown joined to the folder as typed."""
    name = origin.file
    if not name.startswith("<"):
        name = os.path.normpath(os.path.join(os.path.dirname(main), name))
    return f"{name}:{origin.line}"
