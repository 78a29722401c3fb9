"""The four built-in question families, drawn from a seeded random generator.

Each family turns ``(rng, difficulty, lang)`` into a ``Draft``: layer settings, the answer
computed by ``bot.engine.formulas``, the prompt, a worked explanation in the seed article's
style, and the wrong answers that real misconceptions produce (partial credit). Every
draw is valid by construction: sizes stay positive, channels divide into groups.

The families share their types and the wrong-answer check (``_common``); each has its
own module.
"""

from bot.engine.families.bottleneck import bottleneck
from bot.engine.families.odd_kernel import odd_kernel
from bot.engine.families.output_size import output_size
from bot.engine.families.param_count import param_count

__all__ = ["bottleneck", "odd_kernel", "output_size", "param_count"]
