"""The compiler's input envelope: how deep a policy may nest, and what a policy may be named.

Every limit is documented for policy authors in `docs/limits.md`, with the diagnostic reported
one past it. The limits keep every pass that walks an expression recursively (building,
resolving, checking, lowering, the reference interpreter, the Python backend's code generator,
`rspl.wording.describe`) well below Python's recursion limit: each of them spends at most
three frames per level, and the deepest a pass ever goes is `MAX_DEFINITION_DEPTH` levels,
so a compilation needs at most about 600 frames of the 1,000 Python allows, however deep the
caller already is (tests/test_limits.py compiles, builds and runs policies at every limit
with 300 frames already in use).

The depths are measured without recursion: the Lark tree before it is built
(`expression_depth`), the definitions before they are checked (`rspl.checker`), the imports as
they are followed (`rspl.loader`).
"""

from __future__ import annotations

import keyword
import sys
from typing import Any

import lark

MAX_EXPRESSION_DEPTH = 100
"""Operators (`not`, `and`, `or`, `any of`, `all of`, `at least`) written inside one another
in one expression (E0601 at 101). Brackets that add no operator do not count."""

MAX_DEFINITION_DEPTH = 200
"""The depth of a condition with the definitions it uses counted in: a definition counts one
level plus the depth of its own expression (E0602 at 201). A chain of 200 definitions, each
naming the one before, is exactly at the limit."""

MAX_IMPORT_DEPTH = 20
"""Files importing files: the main file imports a file that imports a file ... 20 deep
(E0603 at 21). Nothing recurses over imports; real policies are one to three files deep,
and a short chain keeps the example in docs/diagnostics.md readable."""

# Grammar rules that are expression operators: each adds one level of nesting.
_OPERATORS = frozenset({"negation", "and_expr", "or_expr", "any_of", "all_of", "at_least"})


def too_deep_expression(tree: lark.Tree[Any]) -> lark.Tree[Any] | None:
    """The first operator (in source order) nested `MAX_EXPRESSION_DEPTH + 1` deep in the
    Lark tree `tree`, or None. Iterative: safe on a tree of any depth."""
    stack: list[tuple[lark.Tree[Any], int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if node.data in _OPERATORS:
            depth += 1
            if depth > MAX_EXPRESSION_DEPTH:
                return node
        stack.extend(
            (c, depth) for c in reversed(node.children) if isinstance(c, lark.Tree)
        )
    return None


# Names of modules that a generated module must not take: Python's own (as of the newest
# Python this compiler knows, so the name does not depend on the Python that builds) and the
# compiler's package.
_TAKEN = frozenset(sys.stdlib_module_names) | {
    "annotationlib", "compression", "string", "rspl",
}  # fmt: skip

RENAMED_SUFFIX = "_policy"


def _plain_stem(policy_id: str) -> str:
    safe = "".join(c if c.isalnum() or c == "_" else "_" for c in policy_id)
    if not safe or safe[0].isdigit():
        safe = "policy_" + safe
    return safe.lower()


def taken(policy_id: str) -> tuple[str, bool] | None:
    """(the plain file name, whether it is a keyword) when the policy's plain file name is a
    Python keyword or a standard-library module (so `file_stem` appends `_policy`), else
    None."""
    plain = _plain_stem(policy_id)
    if keyword.iskeyword(plain) or plain in _TAKEN:
        return plain, keyword.iskeyword(plain)
    return None


def file_stem(policy_id: str) -> str:
    """The name of a policy's output files (and of its generated Python module): the policy's
    name made a valid Python module name, lowercase; a name that is a Python keyword or the
    name of a standard-library module gets `_policy` appended."""
    plain = _plain_stem(policy_id)
    return plain + RENAMED_SUFFIX if taken(policy_id) else plain
