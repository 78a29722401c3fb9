"""The limits on a template: its size, its parts, the work checking it may take, and how
long its texts may be once rendered (measured against where Discord shows them)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.engine import message_limits


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
    hints: int = 3  # hints one template may give
    hint_chars: int = 500
    formula_nodes: int = 2_000  # all formulas of a template together

    # --- sampling ------------------------------------------------------------------------
    draws: int = 500  # random draws to measure how often the constraints hold
    min_acceptance_rate: float = 0.05  # of those draws the constraints must hold for
    confidence_z: float = 3.0  # the acceptance rate costed is its Wilson lower bound at z
    exhaustive_space: int = 2_000  # a space this small is enumerated, not sampled
    exhaustive_variants: int = 300  # this few good value sets are all checked
    corners: int = 128  # boundary value sets (min/max of each parameter) checked at load
    variants: int = 200  # random variants checked at load, when the budget allows
    min_variants: int = 50  # fewer than this within the budget: refused as too costly
    tries: int = 1_000  # draws one question may use to satisfy the constraints
    redraws: int = 30  # bad variants (a formula error, equal options) one question skips

    # --- work budget, in units: one unit is one formula part evaluated ------------------
    check_units: int = 120_000  # checking one template (about 60 ms on the dev machine)
    import_units: int = 2_000_000  # every template of one import together (about 1 s)
    template_units: int = 3_000  # reading, compiling and exporting one, beyond its formulas
    question_units: int = 2_500  # one question, expected: its draws, texts and grading
    build_units: int = 60  # building one question in one language, beyond its formulas
    grade_units: int = 30  # grading the answer as shown (reading a reply)
    variant_units: int = 20  # making a variant (answer key, mistakes), beyond formulas
    chars_per_unit: int = 16  # characters of text rendered and scanned per unit

    # --- rendered text, where it is shown (Discord's figures: bot/engine/message_limits) -
    rendered_chars: int = 3_000  # a rendered prompt or explanation on its own
    # The question embed's description: the prompt and the options as laid out, leaving
    # room for the deadline line; options past the cut would vanish from the question.
    question_chars: int = message_limits.DESCRIPTION_CHARS - 200
    # The reveal's description (answer line and explanation), leaving room in the
    # 6,000 total for the title, the footer and the three fields of names (right,
    # partly right, not right: 1,024 each).
    reveal_chars: int = (
        message_limits.EMBED_TOTAL_CHARS - 3 * (message_limits.FIELD_VALUE_CHARS + 60) - 700
    )
    # A mistake's feedback is sent in an ephemeral reply with the points after it.
    feedback_rendered_chars: int = message_limits.MESSAGE_CHARS - 100
    # A hint is sent in an ephemeral reply (or a direct message) with a line about the
    # points after it; on its own it must leave room for that.
    hint_rendered_chars: int = message_limits.MESSAGE_CHARS - 300

    # Tolerances: a wide one lets a guess (or a reply of 0) pass on ranked questions.
    relative_tolerance: float = 0.05  # the widest relative tolerance
    absolute_share: float = 0.05  # absolute tolerance / |answer| in most sampled questions
    absolute_share_questions: float = 0.9  # "most": this share of them
    fairness_steps: int = 150_000  # formula parts the shown-parameter probes may evaluate


LIMITS = Limits()
