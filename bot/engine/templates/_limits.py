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
    # Tolerances: a wide one lets a guess (or a reply of 0) pass on ranked questions.
    relative_tolerance: float = 0.05  # the widest relative tolerance
    absolute_share: float = 0.05  # absolute tolerance / |answer| in most sampled questions
    absolute_share_questions: float = 0.9  # "most": this share of them
    fairness_steps: int = 150_000  # formula parts the shown-parameter probes may evaluate


LIMITS = Limits()
