"""The thresholds section says only what is true (issue 12, item 2), at linear cost (issue 9).

One small policy per class of misleading table: a precautionary requirement driven by an
unknown fact, two domains with an alert on one, a money threshold, a criterion bound, a
requirement that a level drops. Each renders the thresholds section and asserts what a
level's row shows and what it must not show. Then: the fast sweep of `rspl.backends.
thresholds.levels` decides exactly what one evaluation per level decides, and the number of
rules it hands to the evaluator grows linearly with the levels of a domain.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from markdown_it import MarkdownIt
from profiles import examples
from strategies import PolicySpec, bench_scaling, compile_policy, policies

from rspl import ir
from rspl.backends import thresholds
from rspl.backends.markdown import render
from rspl.pipeline import compile_file, compile_source

ROOT = Path(__file__).resolve().parent.parent
scaling = bench_scaling()  # its generated policies are the ones the scaling figures time

HEADER = """policy tiny "Tiny" {
  organization "Org"
  version "1"
  effective 2025-01-01
  combine highest standard per family
}
import std.contexts

role RSO "Responsible Scaling Officer" source "§1"
family security "Security standards" source "§1"
safeguard base "Base safeguard" { category security source "§1" }
safeguard monitor "Monitoring" { category security source "§1" }
standard Std1 "Standard one" in security { includes base source "§1" }
standard Std2 "Standard two" in security extends Std1 { includes monitor source "§1" }
domain Bio "Biology" {
  status tracked
  decided by RSO
  source "§2"
  level Bio_1 "Bio one" source "§2"
  level Bio_2 "Bio two" source "§2"
}
"""

CYBER = """domain Cyber "Cyber" {
  status tracked
  decided by RSO
  source "§2"
  level Cyber_1 "Cyber one" source "§2"
}
"""


def policy_of(text: str) -> ir.Policy:
    result = compile_source("tiny.rspl", HEADER + text)
    assert result.policy is not None, [d.message for d in result.diagnostics]
    return result.policy


def section(policy: ir.Policy) -> str:
    """The thresholds section of the document."""
    (text,) = render(policy).values()
    start = text.index("## Capability thresholds")
    end = text.find("\n## ", start + 1)
    return text[start : end if end >= 0 else len(text)]


def rows(policy: ir.Policy) -> dict[str, list[str]]:
    """Level name -> the cells of its row (Markdown source of each cell)."""
    out: dict[str, list[str]] = {}
    for line in section(policy).splitlines():
        if line.startswith("| ") and "(`" in line.split("|")[1]:
            cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
            name = cells[0].rsplit("(`", 1)[1].rstrip("`)")
            out[name] = cells
    return out


def baseline(policy: ir.Policy) -> str:
    return section(policy).split("\n\n")[1]


REQUIRES, RULES = 3, 4


def test_precaution_from_an_unknown_fact_is_said_once_above_the_table() -> None:
    policy = policy_of(
        """evidence ours: fact "The model is one of ours" source "§1"
rule ours_base "Our models need standard one" { source "§3" when ours require Std1 }
rule bio2 "Bio two needs standard two" { source "§3" when Bio >= Bio_2 require Std2 }
"""
    )
    assert baseline(policy) == (
        "When nothing else is known, the evaluator requires **Standard one** in every context "
        "(as a precaution, until it is known whether the model is one of ours)."
    )
    found = rows(policy)
    assert found["Bio_1"][REQUIRES] == "nothing beyond the baseline"
    assert "Standard one" not in found["Bio_2"][REQUIRES]
    assert "precaution" not in found["Bio_1"][REQUIRES] + found["Bio_2"][REQUIRES]
    assert found["Bio_2"][REQUIRES] == "**Standard two** in every context"
    assert found["Bio_2"][RULES] == "Bio two needs standard two"


def test_a_certain_safeguard_is_not_hidden_behind_a_precautionary_standard() -> None:
    policy = policy_of(
        """evidence ours: fact "The model is one of ours" source "§1"
rule ours_base "Our models need standard one" { source "§3" when ours require Std1 }
rule bio1 "Bio one needs the base safeguard" { source "§3" when Bio == Bio_1 require base }
"""
    )
    found = rows(policy)
    assert found["Bio_1"][REQUIRES] == "the safeguard **Base safeguard** in every context"
    assert found["Bio_2"][REQUIRES] == "nothing beyond the baseline"
    assert found["Bio_2"][RULES] == "no longer: Bio one needs the base safeguard"


def test_an_alert_of_one_domain_is_not_a_consequence_of_another() -> None:
    policy = policy_of(
        CYBER
        + """evidence evals: fact "Cyber evaluations point to the threshold" source "§1"
warning cyber_evals "Cyber evaluations point to the threshold" { source "§3" when evals }
warning cyber_alert "Cyber capability of concern" { source "§3" when Cyber >= Cyber_1 }
rule bio2 "Bio two needs standard two" { source "§3" when Bio >= Bio_2 require Std2 }
"""
    )
    found = rows(policy)
    for level in ("Bio_1", "Bio_2"):
        assert "alert" not in found[level][REQUIRES], level
        assert "Cyber" not in found[level][REQUIRES] + found[level][RULES], level
    assert found["Cyber_1"][REQUIRES] == "alert: *Cyber capability of concern*"
    # the precautionary alert is raised below every level: said once, in the baseline
    assert "Cyber evaluations" not in found["Cyber_1"][REQUIRES]
    assert baseline(policy) == (
        "When nothing else is known, the evaluator raises the alert *Cyber evaluations point "
        "to the threshold* (as a precaution, until it is known whether cyber evaluations point "
        "to the threshold)."
    )


def test_money_threshold_is_in_the_thresholds_section_as_a_reader_writes_it() -> None:
    policy = policy_of(
        """evidence revenue: money "Annual revenue" source "§1"
rule big "Large companies" { source "§3" when revenue >= 1e9 USD require base }
rule bio2 "Bio two" {
  source "§3"
  when Bio >= Bio_2
  require Std2 counts when revenue < 2500000000 USD
}
"""
    )
    text = section(policy)
    assert (
        "| Annual revenue is at least USD 1 billion | The condition of the rule *Large companies* "
        "(`big`) | §3 |" in text
    )
    assert (
        "| Annual revenue is less than USD 2.5 billion | **Standard two**, as the rule *Bio two*"
        in text
    )
    assert rows(policy)["Bio_2"][REQUIRES] == (
        "**Standard two** (counts only while annual revenue is less than USD 2.5 billion) "
        "in every context"
    )
    assert "1000000000" not in text and "1e9" not in text and "000 USD" not in text


def test_criterion_bounds_are_in_the_thresholds_section() -> None:
    policy = policy_of(
        """evidence jailbreak_rate: fraction "Jailbreak success rate" source "§1"
evidence compute: compute "Training compute" source "§1"
safeguard classifiers "Input classifiers" { counts when jailbreak_rate <= 5% source "§4" }
rule bio2 "Bio two" {
  source "§3"
  when Bio >= Bio_2 and compute >= 1e26 FLOP
  require classifiers
  require Std2 counts when jailbreak_rate < 1% per "§5"
}
"""
    )
    text = section(policy)
    assert (
        "| Jailbreak success rate is at most 5% | The safeguard **Input classifiers** counts"
        in text
    )
    assert "| Training compute is at least 1e26 FLOP | The condition of the rule *Bio two*" in text
    assert (
        "| Jailbreak success rate is less than 1% | **Standard two**, as the rule *Bio two* "
        "requires it, counts only while this holds | §5 |" in text
    )


def test_a_requirement_the_level_drops_is_said_to_be_dropped() -> None:
    policy = policy_of(
        """rule not_bio2 "Below bio two" { source "§3" when Bio != Bio_2 require monitor }
"""
    )
    assert baseline(policy) == (
        "Below every level the evaluator requires the safeguard **Monitoring** in every context."
    )
    found = rows(policy)
    assert found["Bio_1"][REQUIRES] == "nothing beyond the baseline"
    assert found["Bio_2"][REQUIRES] == "no longer: the safeguard **Monitoring** in every context"
    assert found["Bio_2"][RULES] == "no longer: Below bio two"


def test_the_document_reads_as_a_table_with_the_baseline_above() -> None:
    policy = policy_of('rule bio2 "Bio two" { source "§3" when Bio >= Bio_2 require Std2 }\n')
    tokens = MarkdownIt("commonmark").enable("table").parse(section(policy))
    kinds = [t.type for t in tokens if t.type in ("paragraph_open", "table_open")]
    assert kinds.index("paragraph_open") < kinds.index("table_open")
    assert baseline(policy) == (
        "Below every level, and when nothing else is known, the evaluator requires no "
        "standard or safeguard."
    )


# ---------------------------------------------------------------------------- the sweep


def _policies() -> list[tuple[str, ir.Policy]]:
    out = []
    for path in sorted((ROOT / "examples").glob("*.rspl")):
        result = compile_file(str(path))
        assert result.policy is not None
        out.append((path.stem, result.policy))
    for n in (1, 2, 7, 25):
        for name, gen in (("levels", scaling.levels_policy),
                          ("domains_rules", scaling.domains_rules_policy)):  # fmt: skip
            result = compile_source(f"{name}{n}.rspl", gen(n))
            assert result.policy is not None
            out.append((f"{name}{n}", result.policy))
    return out


def _id(x: object) -> str:
    return x if isinstance(x, str) else ""


@pytest.mark.parametrize(("name", "policy"), _policies(), ids=_id)
def test_the_sweep_decides_what_one_evaluation_per_level_decides(
    name: str, policy: ir.Policy
) -> None:
    fast = thresholds.levels(policy, fast=True)
    slow = thresholds.levels(policy, fast=False)
    assert fast.baseline == slow.baseline
    for key, level in slow.levels.items():
        assert fast.levels[key] == level, key
    # and each level is what the evaluator says for that level alone
    for d in policy.domains:
        for lv in d.levels:
            alone = thresholds.outcome(policy, thresholds.only_level(policy, d.name, lv.name))
            assert fast.levels[(d.name, lv.name)].outcome == alone, (d.name, lv.name)


@pytest.mark.parametrize(("name", "policy"), _policies(), ids=_id)
def test_the_sweep_decides_the_same_a_few_rules_at_a_time(
    name: str, policy: ir.Policy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sweep decides the rules whose runs start at one level `_BATCH` at a time (a
    rule's status does not depend on the others), to hold less than a decision on all."""
    monkeypatch.setattr(thresholds, "_BATCH", 2)
    assert thresholds.levels(policy, fast=True) == thresholds.levels(policy, fast=False)


@settings(max_examples=examples(60), deadline=None)
@given(spec=policies())
def test_the_sweep_agrees_on_random_policies(spec: PolicySpec) -> None:
    policy = compile_policy(spec.text)
    assert thresholds.levels(policy, fast=True) == thresholds.levels(policy, fast=False)


def test_rules_evaluated_grow_linearly_with_the_levels(monkeypatch: pytest.MonkeyPatch) -> None:
    """The evaluator sees, in all, a number of rules proportional to the domain's levels
    (it was proportional to their square)."""
    handed: list[int] = []
    evaluate = thresholds.evaluate

    def counting(policy: ir.Policy, assessment: Any) -> Any:
        handed.append(len(policy.rules))
        return evaluate(policy, assessment)

    monkeypatch.setattr(thresholds, "evaluate", counting)
    work = []
    for n in (100, 400):
        handed.clear()
        result = compile_source(f"levels{n}.rspl", scaling.levels_policy(n))
        assert result.policy is not None
        thresholds.levels(result.policy)
        work.append(sum(handed))
    assert work[1] <= 4 * 1.2 * work[0], work


def test_criteria_and_waivers_reading_definitions_build() -> None:
    """The slice a level is decided on keeps what a standard's criterion and a waiver's
    condition read (the build raised KeyError on the definition before)."""
    policy = policy_of(
        """evidence passed: fact "An evaluation passed" source "§1"
define ok "Evaluations passed" as passed source "§1"
define high "High" as Bio >= Bio_2 source "§1"
standard Std3 "Standard three" in security extends Std2 { counts when ok source "§1" }
rule bio1 "Bio one" { source "§3" when Bio >= Bio_1 require Std3 }
waiver w "Waiver" { waives Std3 when high approved by RSO source "§4" }
"""
    )
    found = rows(policy)
    assert found["Bio_1"][REQUIRES].startswith("**Standard three** (counts only while")
    assert "| “Evaluations passed” holds | The standard **Standard three** counts only while" in (
        section(policy)
    )
