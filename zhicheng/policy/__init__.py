"""The eligibility engine: the notice's rules as data and code, every decision cited.

Public API (stable; see docs/eligibility.md):

    evaluate(facts) -> decision dict (decision.schema.json, plus rule-set id and version)
    evaluate_batch(list_of_facts) -> BatchResult (numpy arrays per applicant)
    validate_facts(facts) -> None, or raises FactsError naming the field
    ruleset_for(year) -> Ruleset (.id, .version, .effective_from); NoRulesetError if none
"""

# The submodule zhicheng.policy.evaluate is imported here, before the function of the same
# name is defined below; otherwise its first import would rebind ``policy.evaluate`` to it.
import zhicheng.policy.evaluate  # noqa: F401
from zhicheng.policy.facts import FactsError, validate_facts
from zhicheng.policy.ruleset import NoRulesetError, Ruleset, RulesetError, ruleset_for

__all__ = [
    "FactsError",
    "NoRulesetError",
    "Ruleset",
    "RulesetError",
    "evaluate",
    "evaluate_batch",
    "ruleset_for",
    "validate_facts",
]


def evaluate(facts: dict, *, ruleset: Ruleset | None = None, validate: bool = True) -> dict:
    """One applicant's decision under the rule set of `facts["year"]` (or the one given)."""
    from zhicheng.policy.evaluate import evaluate_applicant
    from zhicheng.policy.facts import read_facts

    if validate:
        validate_facts(facts)
    rs = ruleset or ruleset_for(facts["year"])
    return evaluate_applicant(read_facts(facts), rs)[0]


def evaluate_batch(facts_list, *, ruleset: Ruleset | None = None, validate: bool = True):
    """Many applicants at once; see zhicheng.policy.batch.BatchResult."""
    from zhicheng.policy.batch import evaluate_facts_list

    return evaluate_facts_list(facts_list, ruleset=ruleset, validate=validate)
