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
        choices=("snippet", "concise", "json", "sarif", "github"),
        default="snippet",
        help="snippet (default): source with carets; concise: one line each; json; "
        "sarif (SARIF 2.1.0, for code-scanning tools); github (GitHub Actions annotations)",
    )
    check.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour snippets (auto: when writing to a terminal)",
    )
    _add_import_path(check)

    lint = sub.add_parser(
        "lint", help="check that policies contain what a published checklist asks for"
    )
    lint.add_argument("files", nargs="+", metavar="POLICY")
    lint.add_argument(
        "--profile",
        required=True,
        action="append",
        metavar="NAME",
        help="a shipped profile (seoul, metr, sb53, ...) or a profile file PATH.toml "
        "(repeatable)",
    )
    lint.add_argument(
        "--format",
        choices=("snippet", "concise", "json", "sarif", "github"),
        default="snippet",
        help="snippet (default), concise (one line each), json, sarif or github",
    )
    lint.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    _add_import_path(lint)

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

    init = sub.add_parser("init", help="start a new policy: a policy with scenarios, and hooks")
    init.add_argument("folder", nargs="?", default=".", metavar="DIR",
                      help="where to write (default: the current folder)")  # fmt: skip
    _add_lsp(sub)

    fmt = sub.add_parser("fmt", help="lay out policies in the one canonical style")
    fmt.add_argument("files", nargs="+", metavar="FILE",
                     help="files, folders (every .rspl file under them), patterns, or - "
                     "(standard input, formatted to standard output)")  # fmt: skip
    fmt.add_argument("--check", action="store_true",
                     help="write nothing; list the files that would change and exit 1 if any")
    fmt.add_argument("--diff", action="store_true",
                     help="write nothing; print what would change as a unified diff")
    fmt.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                     help="colour the syntax errors of a file that does not parse")

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

    ver = sub.add_parser(
        "verify", help="prove or refute properties of a policy (needs the [analysis] extra)"
    )
    ver.add_argument("file", metavar="POLICY")
    ver.add_argument("--context", action="append", metavar="C", help="only this context")
    ver.add_argument("--format", choices=("text", "json", "sarif"), default="text")
    ver.add_argument(
        "--timeout", type=float, default=10.0, metavar="S", help="seconds per solver call"
    )
    _add_import_path(ver)

    dif = sub.add_parser(
        "diff", help="what changed in meaning between two versions (needs the [analysis] extra)"
    )
    dif.add_argument("old", metavar="OLD")
    dif.add_argument("new", metavar="NEW")
    dif.add_argument("--context", action="append", metavar="C", help="only this context")
    dif.add_argument("--format", choices=("markdown", "json"), default="markdown")
    dif.add_argument("--fail-on", choices=("looser", "stricter", "any"), default=None,
                     help="exit 1 when a change of this kind is found")  # fmt: skip
    dif.add_argument(
        "--timeout", type=float, default=10.0, metavar="S", help="seconds per solver call"
    )
    _add_import_path(dif)
    _add_assess_and_gate(sub)
    return p


def _parse(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """The command line parsed; `rspl assess` takes its log paths anywhere among its options
    (`rspl assess POLICY --bindings B -o out.json logs/`), which argparse reads only with
    `parse_intermixed_args` of the command's own parser."""
    if argv[:1] == ["assess"]:
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        args: argparse.Namespace = sub.choices["assess"].parse_intermixed_args(argv[1:])
        args.command = "assess"
        return args
    return parser.parse_args(argv)


def _add_assess_and_gate(sub: Any) -> None:
    """`rspl assess` (Inspect logs -> assessment) and `rspl gate` (a release gate)."""
    ass = sub.add_parser(
        "assess", help="write an assessment from Inspect logs (needs the [inspect] extra)"
    )
    ass.add_argument("file", metavar="POLICY")
    ass.add_argument("logs", nargs="*", metavar="LOGS",
                     help="Inspect log files, or folders of them")  # fmt: skip
    ass.add_argument("--bindings", default="rspl.bindings.toml", metavar="FILE",
                     help="which evaluation measures each evidence (default "
                     "rspl.bindings.toml)")  # fmt: skip
    ass.add_argument("--check", action="store_true",
                     help="only check the bindings against the policy")  # fmt: skip
    ass.add_argument("-o", "--output", default="-", metavar="FILE",
                     help="where to write the assessment (default: standard output)")  # fmt: skip
    ass.add_argument("--as-of", dest="as_of", metavar="YYYY-MM-DD",
                     help="the assessment's date, which log ages count up to (default today)")
    ass.add_argument("--determinations", metavar="FILE",
                     help="the roles' part of the assessment (determinations, judgements, "
                     "implemented, ...), merged in unchanged")  # fmt: skip
    ass.add_argument("--format", choices=("snippet", "concise"), default="snippet",
                     help="how the bindings' diagnostics are shown")  # fmt: skip
    ass.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    _add_import_path(ass)

    gate = sub.add_parser("gate", help="exit 0 when the contexts are permitted, 1 if blocked")
    gate.add_argument("file", metavar="POLICY")
    gate.add_argument("assessment", metavar="ASSESSMENT.json")
    gate.add_argument("--context", action="append", required=True, metavar="C",
                      help="a context the release needs (repeatable)")  # fmt: skip
    gate.add_argument("--format", choices=("text", "json"), default="text")
    gate.add_argument("--junit", metavar="FILE", help="also write a JUnit XML report")
    _add_import_path(gate)
def _add_lsp(sub: Any) -> None:
    lsp = sub.add_parser(
        "lsp", help="run the language server over standard input and output (the lsp extra)"
    )
    lsp.add_argument("--stdio", action="store_true",
                     help="serve over standard input and output (the default and only way; "
                     "accepted because LSP clients pass it)")  # fmt: skip


def cmd_lsp() -> int:
    """`rspl lsp`: the language server (`rspl.lsp`); pygls comes with the `lsp` extra."""
    try:
        import pygls  # noqa: F401
    except ImportError:
        sys.stderr.write(
            "rspl: error: the language server needs pygls: pip install 'rspl[lsp]'\n"
        )
        return EXIT_USAGE
    from rspl.lsp import main as serve

    return serve()


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    try:
        args = _parse(parser, list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:
        return int(exc.code) if isinstance(exc.code, int) else EXIT_USAGE
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    if args.command == "explain":
        return cmd_explain(args.code)
    if args.command == "init":
        return cmd_init(args.folder)
    if args.command == "lsp":
        return cmd_lsp()
    if args.command == "fmt":
        return cmd_fmt(args.files, args.check, args.diff, args.color)
    for folder in args.import_path:
        if not os.path.isdir(folder):
            sys.stderr.write(f"rspl: error: --import-path {_shown(folder)}: not a folder\n")
            return EXIT_USAGE
    roots = tuple(args.import_path)
    if args.command == "check":
        return cmd_check(args.files, args.format, args.color, roots)
    if args.command == "lint":
        return cmd_lint(args.files, args.profile, args.format, args.color, roots)
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
    if args.command == "verify":
        return cmd_verify(args.file, args.context, args.format, args.timeout, roots)
    if args.command == "assess":
        return cmd_assess(args, roots)
    if args.command == "gate":
        return cmd_gate(args.file, args.assessment, args.context, args.format, args.junit, roots)
    if args.command == "diff":
        return cmd_diff(args.old, args.new, args.context, args.format, args.fail_on,
                        args.timeout, roots)  # fmt: skip
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
    from rspl.render import render, summary, to_json, to_sarif

    status = EXIT_OK
    reports: list[dict[str, object]] = []
    sarif: list[tuple[str, Sequence[Any]]] = []
    expanded = _expand(files)
    if expanded is None:
        return EXIT_USAGE
    for path in expanded:
        try:
            result = _compile(path, build_ir=False, import_path=import_path)
        except (OSError, FileRefusedError) as exc:
            sys.stderr.write(f"rspl: error: cannot read {_shown(path)}: {_reason(exc)}\n")
            return EXIT_USAGE
        diags = result.diagnostics
        if not result.ok:
            status = EXIT_ERRORS
        if fmt == "json":
            shown = STDIN_NAME if path == STDIN else path
            reports.append({"file": shown, "ok": result.ok, **to_json(diags)})
            continue
        if fmt == "sarif":
            sarif.append((path, diags))
            continue
        sys.stdout.write(render(diags, result.texts, fmt, _use_color(color)))
        if fmt == "snippet":
            verdict = "ok" if result.ok else "failed"
            sys.stdout.write(f"{STDIN_NAME if path == STDIN else path}: {verdict} "
                             f"({summary(diags)})\n")  # fmt: skip
    if fmt == "json":
        sys.stdout.write(json.dumps({"files": reports}, indent=2, sort_keys=True) + "\n")
    if fmt == "sarif":
        log = to_sarif(sarif, __version__)
        sys.stdout.write(json.dumps(log, indent=2, sort_keys=True) + "\n")
    return status


def cmd_lint(
    files: Sequence[str],
    profiles: Sequence[str],
    fmt: str,
    color: str,
    import_path: Sequence[str] = (),
) -> int:
    """Run each profile on each policy. Exit 0 when every policy and profile was read (missing
    elements are warnings), 1 when a policy or a profile file has errors, 2 on usage errors."""
    from rspl import resources
    from rspl.lint import lint
    from rspl.profile import Profile, is_path, parse_profile
    from rspl.render import render, to_json, to_sarif

    loaded: list[Profile] = []
    status = EXIT_OK
    for name in profiles:
        if is_path(name):
            try:
                with open(name, encoding="utf-8") as fh:
                    shown, text = name, fh.read()
            except (OSError, UnicodeDecodeError) as exc:
                sys.stderr.write(f"rspl: error: cannot read {_shown(name)}: {_reason(exc)}\n")
                return EXIT_USAGE
        else:
            found = resources.profile_text(name)
            if found is None:
                known = ", ".join(resources.profile_names())
                sys.stderr.write(
                    f"rspl: error: no shipped profile {name!r}; the profiles are {known}, "
                    "or give a file PATH.toml\n"
                )
                return EXIT_USAGE
            shown, text = found
        profile, problems = parse_profile(shown, text)
        if profile is None:
            if fmt == "sarif":
                log = to_sarif([(shown, problems)], __version__)
                sys.stdout.write(json.dumps(log, indent=2, sort_keys=True) + "\n")
            elif fmt == "json":
                report = {"profile": shown, "ok": False, **to_json(problems)}
                sys.stdout.write(json.dumps({"files": [report]}, indent=2, sort_keys=True) + "\n")
            else:
                sys.stdout.write(render(problems, {shown: text}, fmt, _use_color(color)))
            return EXIT_ERRORS
        loaded.append(profile)
    reports: list[dict[str, object]] = []
    sarif: list[tuple[str, Sequence[Any]]] = []
    expanded = _expand(files)
    if expanded is None:
        return EXIT_USAGE
    for path in expanded:
        result = _compile_or_report(path, import_path)
        if isinstance(result, int):
            if result == EXIT_USAGE:
                return result
            status = EXIT_ERRORS
            continue
        header = _header_span(result)
        diags: list[Any] = []
        for profile in loaded:
            outcomes, lacking = lint(result.policy, profile, header)
            diags.extend(lacking)
            if fmt == "json":
                reports.append(_lint_json(path, profile, outcomes, lacking))
            elif fmt != "sarif":
                sys.stdout.write(render(lacking, result.texts, fmt, _use_color(color)))
                sys.stdout.write(_lint_summary(path, profile, outcomes))
        if fmt == "sarif":
            sarif.append((path, diags))
    if fmt == "json":
        sys.stdout.write(json.dumps({"files": reports}, indent=2, sort_keys=True) + "\n")
    if fmt == "sarif":
        props: dict[str, object] = {"profiles": [p.id for p in loaded]}
        sys.stdout.write(json.dumps(to_sarif(sarif, __version__, props), indent=2, sort_keys=True))
        sys.stdout.write("\n")
    return status


def _header_span(result: Any) -> Any:
    """The span of the main file's `policy` header, where lint diagnostics point."""
    from rspl import nodes

    for item in result.program.main.items:
        if isinstance(item, nodes.PolicyHeader):
            return item.span
    return result.program.main.span  # pragma: no cover - a compiled policy has a header


def _lint_summary(path: str, profile: Any, outcomes: Sequence[Any]) -> str:
    """Each present element with what satisfied it, then the count: what `rspl lint` prints
    after the diagnostics, so that a pass by keyword says what it matched."""
    lines = []
    for o in outcomes:
        if o.status != "present":
            continue
        shown = "; ".join(m.text for m in o.matches[:3])
        more = len(o.matches) - 3
        if more > 0:
            shown += f"; and {more} more"
        lines.append(f"{path}: {profile.id} {o.element.id} present: {shown}\n")
    present = sum(o.status == "present" for o in outcomes)
    weak = sum(o.status == "not_binding" for o in outcomes)
    missing = sum(o.status == "missing" for o in outcomes)
    lines.append(
        f"{path}: {profile.id}: {present} of {len(outcomes)} elements present, "
        f"{weak} not binding, {missing} missing\n"
    )
    return "".join(lines)


def _lint_json(
    path: str, profile: Any, outcomes: Sequence[Any], diags: Sequence[Any]
) -> dict[str, object]:
    from rspl.render import to_json

    return {
        "file": path,
        "profile": {"id": profile.id, "title": profile.title, "source": profile.source},
        "elements": [
            {
                "id": o.element.id,
                "title": o.element.title,
                "citation": o.element.citation,
                "status": o.status,
                "matched": [m.text for m in o.matches],
            }
            for o in outcomes
        ],
        **to_json(diags),
    }


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


STDIN = "-"  # a FILE argument that means standard input
STDIN_NAME = "<stdin>"  # how diagnostics name it; its imports are read relative to the cwd


def _compile(
    path: str, *, build_ir: bool = True, import_path: Sequence[str] = (), keep_program: bool = True
) -> Any:
    """`rspl.pipeline.compile_file`, or for `-` the policy read from standard input (at most
    the size of a policy file; `rspl.limits`)."""
    from rspl.loader import MAX_FILE_BYTES, TOO_LARGE, FileRefusedError
    from rspl.pipeline import compile_file, compile_source

    if path != STDIN:
        return compile_file(
            path, build_ir=build_ir, import_path=import_path, keep_program=keep_program
        )
    text = sys.stdin.read(MAX_FILE_BYTES + 1)
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise FileRefusedError(STDIN_NAME, TOO_LARGE)
    return compile_source(
        STDIN_NAME, text, build_ir=build_ir, import_path=import_path, keep_program=keep_program
    )


def _expand(files: Sequence[str]) -> list[str] | None:
    """The policy files named on the command line: a folder stands for every `.rspl` file
    under it (sorted, hidden folders skipped), a pattern that names no file (`policies/*.rspl`,
    `**` for any depth) for the files it matches; `-` is standard input. None, after saying
    why, when a folder holds no policy or a pattern matches nothing."""
    import glob

    out: list[str] = []
    for arg in files:
        if arg != STDIN and os.path.isdir(arg):
            found = sorted(
                os.path.join(root, name)
                for root, dirs, names in os.walk(arg)
                if not any(part.startswith(".") for part in os.path.relpath(root, arg).split(os.sep)
                           if part != ".")
                for name in names
                if name.endswith(".rspl")
            )  # fmt: skip
            if not found:
                sys.stderr.write(f"rspl: error: {_shown(arg)}: no .rspl files in this folder\n")
                return None
            out += found
        elif arg != STDIN and not os.path.exists(arg) and glob.has_magic(arg):
            matched = sorted(glob.glob(arg, recursive=True))
            if not matched:
                sys.stderr.write(f"rspl: error: {_shown(arg)}: matches no file\n")
                return None
            out += matched
        else:
            out.append(arg)
    return out


def _compile_or_report(
    path: str, import_path: Sequence[str], *, keep_program: bool = True
) -> Any:
    """The compilation of `path`, or an exit code after printing why there is none.
    `keep_program=False`: only the IR is needed (`rspl.pipeline.compile_source`)."""
    from rspl.loader import FileRefusedError
    from rspl.render import render

    try:
        result = _compile(path, import_path=import_path, keep_program=keep_program)
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
    # the backends need only the IR: lowering frees the program as it goes
    result = _compile_or_report(path, import_path, keep_program=False)
    if isinstance(result, int):
        return result
    policy = result.policy
    del result
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


def _policy_and_assessment(
    path: str, assessment_path: str, import_path: Sequence[str]
) -> tuple[Any, Any] | int:
    """The compiled policy and the assessment JSON of `rspl eval`, or an exit code after
    saying why not (at most one of them may be `-`, standard input)."""
    if assessment_path == STDIN and path == STDIN:
        sys.stderr.write("rspl: error: the policy and the assessment cannot both be `-`\n")
        return EXIT_USAGE
    result = _compile_or_report(path, import_path)
    if isinstance(result, int):
        return result
    assessment = _read_assessment(assessment_path)
    if isinstance(assessment, _Failed):
        return EXIT_USAGE
    return result, assessment


def _read_assessment(assessment_path: str) -> Any:
    """The assessment JSON in the file `assessment_path` (`-`: standard input), or `_Failed`
    after saying why it cannot be read."""
    try:
        if assessment_path == STDIN:
            return json.load(sys.stdin)
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
    loaded = _policy_and_assessment(path, assessment_path, import_path)
    if isinstance(loaded, int):
        return loaded
    result, assessment = loaded
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

    loaded = _policy_and_assessment(path, assessment_path, import_path)
    if isinstance(loaded, int):
        return loaded
    result, assessment = loaded
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


def _analysis_refused(command: str, timeout: float) -> int | None:
    """The usage exit code of `rspl verify` or `rspl diff` when it cannot run (z3 missing, a
    timeout that is not positive), after saying why; None when it can."""
    from rspl.analysis.encode import AnalysisUnavailableError, load_z3

    try:
        load_z3()
    except AnalysisUnavailableError as exc:
        sys.stderr.write(f"rspl: error: rspl {command} needs the z3 solver: {exc}\n")
        return EXIT_USAGE
    if timeout <= 0:
        sys.stderr.write("rspl: error: --timeout must be a positive number of seconds\n")
        return EXIT_USAGE
    return None


def cmd_verify(
    path: str,
    contexts: list[str] | None,
    fmt: str,
    timeout: float,
    import_path: Sequence[str] = (),
) -> int:
    """Exit 0 when no safety property is refuted, 1 when one is (or the analysis failed),
    2 for usage errors, a policy with errors, and when z3 is missing."""
    refused = _analysis_refused("verify", timeout)
    if refused is not None:
        return refused
    from rspl.analysis.verify import SAFETY, report_sarif, report_text, verify
    result = _compile_or_report(path, import_path)
    if isinstance(result, int):
        return EXIT_USAGE  # a policy with errors: 2, so that 1 always means a refutation
    policy = result.policy
    known = [c.name for c in policy.contexts]
    for c in contexts or ():
        if c not in known:
            sys.stderr.write(
                f"rspl: error: --context {_shown(c)}: not a context of the policy; "
                f"its contexts are {', '.join(known)}\n"
            )
            return EXIT_USAGE
    header = _header_span(result)
    del result
    results = verify(policy, contexts, timeout)
    if fmt == "json":
        data = {"policy": policy.id, "results": [r.json() for r in results]}
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
    elif fmt == "sarif":
        region = {"startLine": header.line, "startColumn": header.column}
        log = report_sarif(path, region, results, __version__)
        sys.stdout.write(json.dumps(log, indent=2, sort_keys=True) + "\n")
    else:
        sys.stdout.write(report_text(policy.id, results))
    bad = any(
        r.result == "error" or (r.prop in SAFETY and r.result == "refuted") for r in results
    )
    return EXIT_ERRORS if bad else EXIT_OK


def cmd_diff(
    old_path: str,
    new_path: str,
    contexts: list[str] | None,
    fmt: str,
    fail_on: str | None,
    timeout: float,
    import_path: Sequence[str] = (),
) -> int:
    """Exit 1 when a change of the `--fail-on` kind is found (or the analysis failed), 0
    otherwise; 2 for usage errors, a policy with errors, and when z3 is missing."""
    refused = _analysis_refused("diff", timeout)
    if refused is not None:
        return refused
    from rspl.analysis.diff import diff, report_markdown
    old = _compile_or_report(old_path, import_path)
    if isinstance(old, int):
        return EXIT_USAGE
    new = _compile_or_report(new_path, import_path)
    if isinstance(new, int):
        return EXIT_USAGE
    shared = [c.name for c in old.policy.contexts if c.name in
              {x.name for x in new.policy.contexts}]  # fmt: skip
    for c in contexts or ():
        if c not in shared:
            sys.stderr.write(
                f"rspl: error: --context {_shown(c)}: not a context of both versions; "
                f"their shared contexts are {', '.join(shared) or 'none'}\n"
            )
            return EXIT_USAGE
    got = diff(old.policy, new.policy, contexts, timeout)
    if fmt == "json":
        sys.stdout.write(json.dumps(got.json(), indent=2) + "\n")
    else:
        sys.stdout.write(report_markdown(got))
    if got.errors() or (fail_on is not None and got.found(fail_on)):
        return EXIT_ERRORS
    return EXIT_OK


def cmd_test(files: Sequence[str], import_path: Sequence[str] = ()) -> int:
    from rspl.testing import run_scenarios

    passed = failed = 0
    expanded = _expand(files)
    if expanded is None:
        return EXIT_USAGE
    for path in expanded:
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


INIT_FILES = (("policy.rspl", "policy.rspl"), ("pre-commit-config.yaml", ".pre-commit-config.yaml"))


def cmd_init(folder: str) -> int:
    """Write a new policy (a domain, a standard, a rule and two scenarios that pass) and a
    pre-commit configuration into `folder`; never overwrite a file."""
    from importlib import resources

    scaffold = resources.files("rspl") / "templates" / "init"
    targets = [(src, os.path.join(folder, name)) for src, name in INIT_FILES]
    existing = [path for _, path in targets if os.path.lexists(path)]
    if existing:
        shown = ", ".join(_shown(p) for p in existing)
        sys.stderr.write(f"rspl: error: {shown} already exists; nothing was written\n")
        return EXIT_USAGE
    try:
        os.makedirs(folder, exist_ok=True)
        for src, path in targets:
            text = (scaffold / src).read_text(encoding="utf-8")
            with open(path, "x", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
            sys.stdout.write(f"wrote {path}\n")
    except OSError as exc:
        sys.stderr.write(f"rspl: error: cannot write to {_shown(folder)}: {_reason(exc)}\n")
        return EXIT_USAGE
    policy = os.path.join(folder, "policy.rspl")
    sys.stdout.write(
        f"next: rspl check {policy}; rspl test {policy}; rspl build -o out {policy}\n"
        "(and `pre-commit install` in a git repository to check on every commit)\n"
    )
    return EXIT_OK


def _typed(main: str, origin: Any) -> str:
    """`FILE:LINE` of an IR origin for the terminal: the IR names files relative to the main
    policy's folder (so builds are reproducible); shown joined to the folder as typed."""
    name = origin.file
    if not name.startswith("<"):
        name = os.path.normpath(os.path.join(os.path.dirname(main), name))
    return f"{name}:{origin.line}"


def cmd_assess(args: argparse.Namespace, import_path: Sequence[str] = ()) -> int:
    """`rspl assess`: check the bindings, then (unless `--check`) read the logs and write the
    assessment. Exit 0 when written (or the bindings check), 1 when the policy or the
    bindings have errors, 2 when something cannot be read or inspect_ai is missing."""
    import datetime

    from rspl.assess import AssessError, assess
    from rspl.bindings import read_bindings
    from rspl.interpreter import AssessmentError, evaluate
    from rspl.render import render, summary

    result = _compile_or_report(args.file, import_path)
    if isinstance(result, int):
        return result
    try:
        with open(args.bindings, encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        sys.stderr.write(f"rspl: error: cannot read {_shown(args.bindings)}: {_reason(exc)}\n")
        return EXIT_USAGE
    bindings, problems = read_bindings(args.bindings, text, result.policy)
    out = sys.stdout if args.check else sys.stderr
    out.write(render(problems, {args.bindings: text}, args.format, _use_color(args.color)))
    if args.check or bindings is None:
        if args.format == "snippet" or bindings is None:
            verdict = "ok" if bindings is not None else "failed"
            out.write(f"{args.bindings}: {verdict} ({summary(problems)})\n")
        return EXIT_OK if bindings is not None else EXIT_ERRORS
    if not args.logs:
        sys.stderr.write("rspl: error: rspl assess needs log files or folders (or --check)\n")
        return EXIT_USAGE
    as_of = None
    if args.as_of is not None:
        try:
            as_of = datetime.date.fromisoformat(args.as_of)
        except ValueError:
            sys.stderr.write(f"rspl: error: --as-of {_shown(args.as_of)}: not a date "
                             "YYYY-MM-DD\n")  # fmt: skip
            return EXIT_USAGE
    given: Any = None
    if args.determinations is not None:
        given = _read_assessment(args.determinations)
        if isinstance(given, _Failed):
            return EXIT_USAGE
        if not isinstance(given, dict):
            sys.stderr.write(f"rspl: error: {args.determinations}: not a JSON object\n")
            return EXIT_USAGE
    try:
        assessment, notes = assess(result.policy, bindings, args.logs, as_of=as_of, given=given)
    except AssessError as exc:
        sys.stderr.write(f"rspl: error: {exc}\n")
        return EXIT_USAGE
    try:
        evaluate(result.policy, assessment)
    except AssessmentError as exc:
        sys.stderr.write(f"rspl: error: the assessment would be invalid: {exc}\n")
        return EXIT_USAGE
    for note in notes:
        sys.stderr.write(f"assess: {note}\n")
    text = json.dumps(assessment, indent=2) + "\n"
    if args.output == STDIN:
        sys.stdout.write(text)
        return EXIT_OK
    try:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        sys.stderr.write(f"rspl: error: cannot write {_shown(args.output)}: {_reason(exc)}\n")
        return EXIT_USAGE
    sys.stderr.write(f"wrote {args.output}\n")
    return EXIT_OK


def cmd_gate(
    path: str,
    assessment_path: str,
    contexts: list[str],
    fmt: str,
    junit: str | None,
    import_path: Sequence[str] = (),
) -> int:
    """`rspl gate`: exit 0 when every context asked is permitted, 1 when one is blocked, 2
    for a policy that does not compile or an assessment that is not valid."""
    from rspl.gate import gate_result, gate_text, junit_xml
    from rspl.interpreter import AssessmentError, evaluate

    loaded = _policy_and_assessment(path, assessment_path, import_path)
    if loaded == EXIT_ERRORS:
        return EXIT_USAGE  # the policy has errors: the gate cannot decide
    if isinstance(loaded, int):
        return loaded
    result, assessment = loaded
    if isinstance(assessment, dict):
        assessment = {**assessment, "contexts": contexts}
    try:
        decision = evaluate(result.policy, assessment)
    except AssessmentError as exc:
        sys.stderr.write(f"rspl: error: bad assessment: {exc}\n")
        return EXIT_USAGE
    asked = list(decision["verdicts"])
    answer = gate_result(decision, asked)
    if junit is not None:
        try:
            with open(junit, "w", encoding="utf-8") as fh:
                fh.write(junit_xml(answer, decision))
        except OSError as exc:
            sys.stderr.write(f"rspl: error: cannot write {_shown(junit)}: {_reason(exc)}\n")
            return EXIT_USAGE
    if fmt == "json":
        sys.stdout.write(json.dumps(answer, indent=2, sort_keys=True) + "\n")
    else:
        sys.stdout.write(gate_text(answer))
    return EXIT_OK if answer["permitted"] else EXIT_ERRORS
def cmd_fmt(files: Sequence[str], check: bool, diff: bool, color: str = "auto") -> int:
    """Format policy files in place (standard input to standard output); with `check` or
    `diff`, write nothing and exit 1 if a file would change. A file that does not parse is
    left as it is: its syntax errors are shown and the exit code is 2."""
    from rspl.fmt import FormatError, format_source, unified_diff
    from rspl.loader import MAX_FILE_BYTES, TOO_LARGE, FileRefusedError, read_file
    from rspl.render import render

    expanded = _expand(files)
    if expanded is None:
        return EXIT_USAGE
    status = EXIT_OK
    changed = unchanged = 0
    for path in expanded:
        shown = STDIN_NAME if path == STDIN else path
        try:
            if path == STDIN:
                text = sys.stdin.read(MAX_FILE_BYTES + 1)
                if len(text.encode("utf-8")) > MAX_FILE_BYTES:
                    raise FileRefusedError(STDIN_NAME, TOO_LARGE)
            else:
                text = read_file(path)
        except (OSError, FileRefusedError) as exc:
            sys.stderr.write(f"rspl: error: cannot read {_shown(path)}: {_reason(exc)}\n")
            status = EXIT_USAGE
            continue
        try:
            formatted = format_source(text, shown)
        except FormatError as err:
            sys.stderr.write(render(err.diagnostics, {shown: text}, "snippet", _use_color(color)))
            sys.stderr.write(f"{_shown(shown)}: not formatted: it does not parse\n")
            status = EXIT_USAGE
            continue
        if formatted == text:
            unchanged += 1
            if path == STDIN and not (check or diff):
                sys.stdout.write(formatted)
            continue
        changed += 1
        if diff:
            sys.stdout.write(unified_diff(text, formatted, shown))
        if check:
            sys.stdout.write(f"would reformat {_shown(shown)}\n")
        if check or diff:
            status = max(status, EXIT_ERRORS)
        elif path == STDIN:
            sys.stdout.write(formatted)
        else:
            try:
                with open(path, "w", encoding="utf-8", newline="\n") as fh:
                    fh.write(formatted)
            except OSError as exc:
                sys.stderr.write(f"rspl: error: cannot write {_shown(path)}: {_reason(exc)}\n")
                status = EXIT_USAGE
                continue
            sys.stderr.write(f"reformatted {_shown(path)}\n")
    if STDIN not in expanded or len(expanded) > 1:
        verb = "would be reformatted" if check or diff else "reformatted"
        sys.stderr.write(f"{changed} file{'s' * (changed != 1)} {verb}, "
                         f"{unchanged} left unchanged\n")  # fmt: skip
    return status
