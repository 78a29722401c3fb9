"""The limits on a template: its size, its parts, and the work checking it may take."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    document_chars: int = 20_000
    import_chars: int = 500_000
    import_documents: int = 50
    yaml_depth: int = 12
    yaml_nodes: int = 2_000
    params: int = 12
    param_magnitude: int = 10**9
    range_values: int = 100_000
    choice_values: int = 1_000
    constraints: int = 10
    mistakes: int = 10
    choices: int = 8
    languages: int = 6
    prompt_chars: int = 1_500
    explanation_chars: int = 2_000
    choice_chars: int = 300
    feedback_chars: int = 500
    formula_nodes: int = 2_000  # all formulas of a template together
    draws: int = 500  # draws to measure how often the constraints hold
    min_acceptance: int = 25  # of those draws (5 %)
    tries: int = 1_000  # draws one question may use to satisfy the constraints
    variants: int = 200  # sampled questions checked when a template is loaded
    rendered_chars: int = 3_000  # a rendered prompt or explanation
    check_steps: int = 600_000  # formula parts evaluated while checking a template


LIMITS = Limits()
