"""Every sentence a user reads, keyed and parameterised, in one place.

Logic asks for ``t("key", lang, **params)``; it never builds user-facing sentences
itself, so a language is added by adding a catalog, not by touching logic. Placeholders
use ``str.format`` on *our own* strings only: admin-written text never reaches
``str.format`` (templates render their own placeholders, see ``bot.templates``).
"""

from __future__ import annotations

import string
from collections.abc import Mapping

__all__ = ["CATALOGS", "LANGUAGES", "placeholders", "t"]

EN: dict[str, str] = {
    # --- output_size -----------------------------------------------------------------
    "os.prompt.basic": (
        "A {n}×{n} image goes through one {k}×{k} filter with stride {s} and no padding. "
        "What is the size of the output (height × width)?"
    ),
    "os.prompt.padded": (
        "A {n}×{n} feature map goes through a {k}×{k} convolution with stride {s} and "
        "zero padding {p} on every side. What is the output size (height × width)?"
    ),
    "os.prompt.rect": (
        "A {h}×{w} (height × width) feature map goes through a {kh}×{kw} convolution with "
        "stride {s} and zero padding {p} on every side. What is the output size "
        "(height × width)?"
    ),
    "os.prompt.same": (
        "A {h}×{w} (height × width) feature map goes through a {k}×{k} convolution with "
        "stride {s} and padding='same' (TensorFlow/Keras). What is the output size "
        "(height × width)?"
    ),
    "os.prompt.dilated": (
        "A {n}×{n} feature map goes through a {k}×{k} convolution with dilation {d}, "
        "stride {s} and zero padding {p} on every side. What is the output size "
        "(height × width)?"
    ),
    "os.explain.explicit": (
        "Output = ⌊(input + 2·padding − kernel) / stride⌋ + 1.\n{steps}\n"
        "The window's far edge starts at {first} and moves {s} at a time until it reaches "
        "the padded edge, so the answer is {answer}."
    ),
    "os.explain.axis": "{axis}: ⌊({n} + 2·{p} − {k}) / {s}⌋ + 1 = ⌊{span} / {s}⌋ + 1 = {out}",
    "os.explain.dilated": (
        "A dilated kernel covers d·(k − 1) + 1 = {d}·({k} − 1) + 1 = {eff} pixels.\n"
        "Output = ⌊(input + 2·padding − {eff}) / stride⌋ + 1 = "
        "⌊({n} + 2·{p} − {eff}) / {s}⌋ + 1 = {out}, so the answer is {answer}."
    ),
    "os.explain.same": (
        "With padding='same' TensorFlow pads just enough that the output is "
        "⌈input / stride⌉, whatever the kernel size (the odd pixel of padding goes after).\n"
        "height: ⌈{h} / {s}⌉ = {oh}; width: ⌈{w} / {s}⌉ = {ow}, so the answer is {answer}."
    ),
    "axis.size": "size",
    "axis.height": "height",
    "axis.width": "width",
    # --- param_count ------------------------------------------------------------------
    "pc.prompt.basic": (
        "A layer of shape (height, width, channels) = ({size}, {size}, {cin}) goes through a "
        "convolution with {cout} filters of size {k}×{k} (stride 1, zero padding keeps the "
        "size). How many learnable parameters does the layer have?"
    ),
    "pc.prompt.rect": (
        "A convolution takes {cin} input channels to {cout} output channels with a "
        "{kh}×{kw} kernel{bias_clause}. How many learnable parameters does it have?"
    ),
    "pc.prompt.grouped": (
        "A convolution takes {cin} input channels to {cout} output channels with a "
        "{k}×{k} kernel and groups={groups}{bias_clause}. How many learnable parameters "
        "does it have?"
    ),
    "pc.prompt.depthwise": (
        "A depthwise convolution (groups = channels) runs a {k}×{k} kernel over {cin} "
        "channels{bias_clause}. How many learnable parameters does it have?"
    ),
    "pc.bias.on": " and a bias per output channel",
    "pc.bias.off": " and no bias (bias=False)",
    "pc.explain": (
        "Each output channel has one {kh}×{kw} kernel for each input channel it sees, "
        "plus one bias.\n"
        "(input channels per group) × (kernel size) × (output channels) = "
        "{cin_g}×({kh}×{kw})×{cout} = {weights}\n{bias_line}"
    ),
    "pc.explain.groups": (
        "With groups={groups} each output channel only sees {cin}/{groups} = {cin_g} input "
        "channels.\n"
    ),
    "pc.explain.bias": "Add one bias per output channel: {weights} + {cout} = {total}.",
    "pc.explain.nobias": "There is no bias, so the answer is {total}.",
    # --- bottleneck --------------------------------------------------------------------
    "bn.prompt.total": (
        "A ({size}, {size}, {cin}) layer is turned into ({size}, {size}, {cout}) by a 1×1 "
        "convolution down to {mid} channels followed by a {k}×{k} convolution (both with "
        "bias, padding keeps the size). How many parameters do the two convolutions have "
        "together?"
    ),
    "bn.prompt.saved": (
        "Instead of one {k}×{k} convolution from {cin} to {cout} channels, a network uses a "
        "1×1 convolution down to {mid} channels and then the {k}×{k} convolution to "
        "{cout}{bias_clause}. How many parameters does the bottleneck save?"
    ),
    "bn.prompt.macs": (
        "On a {size}×{size} map (padding keeps the size), a 1×1 convolution reduces {cin} "
        "channels to {mid}, then a {k}×{k} convolution goes to {cout}. How many "
        "multiply-accumulates (ignoring bias) does the pair cost in total?"
    ),
    "bn.prompt.why": (
        "Modern CNNs use 1×1 convolutions all the time, even though a 1×1 filter looks at "
        "no neighbouring pixels. Why are they so useful?"
    ),
    "bn.bias.on": " (all with bias)",
    "bn.bias.off": " (no biases)",
    "bn.explain.total": (
        "1×1 convolution: {cin}×1×1×{mid} + {mid} = {first}\n"
        "{k}×{k} convolution: {mid}×{k}×{k}×{cout} + {cout} = {second}\n"
        "Total: {first} + {second} = {total}, against {direct} for a direct {k}×{k} "
        "convolution ({cin}×{k}×{k}×{cout} + {cout})."
    ),
    "bn.explain.saved": (
        "Direct: {cin}×{k}×{k}×{cout}{bias_term} = {direct}\n"
        "Bottleneck: ({cin}×1×1×{mid}{bias_mid}) + ({mid}×{k}×{k}×{cout}{bias_term}) = "
        "{first} + {second} = {total}\n"
        "Saved: {direct} − {total} = {answer}"
    ),
    "bn.explain.macs": (
        "Every weight is used once per output position ({size}×{size} = {positions}).\n"
        "1×1: {cin}×{mid}×{positions} = {first}\n"
        "{k}×{k}: {mid}×{k}×{k}×{cout}×{positions} = {second}\n"
        "Total: {first} + {second} = {total} (a 1×1 costs 1/{k2} of a {k}×{k} with the same "
        "channels)."
    ),
    "bn.explain.why": (
        "A 1×1 convolution is cheap (1/9 of the work of a 3×3 with the same channels) yet "
        "mixes channels: ① it reduces the number of channels, which makes the next "
        "convolution and the whole model smaller and faster; ② with a ReLU after it, it "
        "adds non-linearity. For example 32→64 channels with a 3×3 costs 18,496 "
        "parameters; through a 1×1 to 16 first it costs 528 + 9,280 = 9,808."
    ),
    "bn.choice.correct": (
        "It cheaply reduces the number of channels (smaller, faster model) and adds "
        "non-linearity with the activation after it"
    ),
    "bn.choice.identity": "It does nothing to the data; it only copies the input to the output",
    "bn.choice.spatial": "It halves the height and width of the feature map, like pooling",
    "bn.choice.receptive": "It enlarges the receptive field more cheaply than a 3×3 kernel",
    "bn.choice.blur": "It smooths each pixel with its neighbours to remove noise",
    "bn.feedback.identity": (
        "A 1×1 kernel has a weight for every input channel: it mixes channels, so it "
        "changes the data."
    ),
    "bn.feedback.spatial": (
        "A 1×1 convolution with stride 1 keeps height and width; it changes the channels."
    ),
    "bn.feedback.receptive": "A 1×1 kernel adds nothing to the receptive field.",
    "bn.feedback.blur": (
        "A 1×1 kernel sees one pixel at a time, so it cannot smooth over neighbours."
    ),
    # --- odd_kernel ---------------------------------------------------------------------
    "ok.prompt.why": (
        "Convolution kernels are almost always odd-sized (3×3, 5×5); 4×4 or 6×6 kernels are "
        "rare. Why?"
    ),
    "ok.prompt.center": (
        "Numbering pixels from 1, where is the centre of a {k}×{k} kernel? Give (row, column)."
    ),
    "ok.prompt.pad_side": (
        "How many pixels of zero padding on each side keep the size of a feature map "
        "through a {k}×{k} convolution with stride 1?"
    ),
    "ok.prompt.pad_split": (
        "With padding='same' (TensorFlow), a {k}×{k} convolution{dilation_clause} at stride 1 "
        "keeps the size. How many pixels of padding go before and after on each axis? "
        "Answer as (before, after)."
    ),
    "ok.dilation": " with dilation {d}",
    "ok.explain.why": (
        "A filter relates a pixel to its neighbours. An odd kernel has a centre pixel, so "
        "the output lines up with an input pixel and 'same' padding is symmetric. An even "
        "kernel still trains, but its centre falls between pixels (a 6×6 kernel's centre is "
        "(3.5, 3.5)), which shifts features by half a pixel and invites aliasing."
    ),
    "ok.explain.center": (
        "The centre of k pixels numbered from 1 is (k + 1) / 2 = ({k} + 1) / 2 = {c}, so "
        "the answer is {answer}.{even_note}"
    ),
    "ok.explain.center.even": (" An even kernel has no centre pixel: it falls between two pixels."),
    "ok.explain.pad_side": (
        "To keep the size the total padding is kernel − 1 = {k} − 1 = {total}; split "
        "evenly, that is {answer} on each side."
    ),
    "ok.explain.pad_split": (
        "Total padding = effective kernel − 1 = {eff} − 1 = {total}. {split_note} So the "
        "answer is {answer}."
    ),
    "ok.explain.split.odd": "It is even, so it splits evenly.",
    "ok.explain.split.even": (
        "It is odd, so it cannot be split evenly; TensorFlow puts the extra pixel after."
    ),
    "ok.choice.correct": (
        "An odd kernel has a centre pixel, so the output aligns with an input pixel and "
        "padding can be symmetric"
    ),
    "ok.choice.untrainable": "Networks with even-sized kernels cannot be trained",
    "ok.choice.hardware": "GPUs can only multiply odd-sized matrices",
    "ok.choice.channels": "An even kernel would change the number of channels",
    "ok.choice.cheaper": "An odd kernel always has fewer parameters than the next even size",
    "ok.feedback.untrainable": (
        "Even kernels train fine (Keras accepts kernel_size=(4, 4)); the problem is that "
        "they have no centre pixel."
    ),
    "ok.feedback.hardware": "Hardware has no such limit; even kernels run fine.",
    "ok.feedback.channels": "The kernel size has nothing to do with the number of channels.",
    "ok.feedback.cheaper": ("A 5×5 has more parameters than a 4×4; size alone is not the reason."),
    # --- mistakes -----------------------------------------------------------------------
    "mistake.forgot_plus_one": "You forgot the +1: count the window's first position too.",
    "mistake.forgot_padding": "You left out the padding: it adds {p} pixels on each side.",
    "mistake.padding_one_side": "Padding is added on both sides: 2 × {p}, not {p}.",
    "mistake.ceil_not_floor": ("Round down, not up: a window that does not fit is not computed."),
    "mistake.floor_not_ceil": "With padding='same' the output is ⌈input / stride⌉: round up.",
    "mistake.same_as_valid": (
        "That is the size without padding ('valid'); 'same' pads so that the output is "
        "⌈input / stride⌉."
    ),
    "mistake.ignored_stride": "The stride still divides the size with padding='same'.",
    "mistake.ignored_dilation": (
        "Dilation spreads the kernel: it covers d·(k − 1) + 1 pixels, not k."
    ),
    "mistake.forgot_bias": "You forgot the biases: one per output channel.",
    "mistake.kernel_as_k": "A {k}×{k} kernel has {k}×{k} weights per channel pair, not {k}.",
    "mistake.forgot_input_channels": (
        "Each filter has a {k} kernel for every input channel: multiply by the input channels too."
    ),
    "mistake.bias_per_input": "There is one bias per output channel, not per input channel.",
    "mistake.ignored_groups": (
        "With groups={groups} each filter sees only {cin_g} input channels, not all of them."
    ),
    "mistake.bias_when_none": "This layer has no bias: count only the weights.",
    "mistake.only_second_conv": "You counted only the {k}×{k} convolution: add the 1×1 one.",
    "mistake.only_first_conv": "You counted only the 1×1 convolution: add the {k}×{k} one.",
    "mistake.gave_total": "That is the bottleneck's size; the question asks what it saves.",
    "mistake.gave_direct": "That is the direct convolution's size; subtract the bottleneck's.",
    "mistake.total_padding": "That is the total padding; split it between the two sides.",
    "mistake.extra_before": "TensorFlow puts the extra pixel after, not before.",
    "mistake.symmetric_even": "The total padding is kernel − 1, not the kernel size.",
    "mistake.zero_based": "Pixels are numbered from 1 here, so the centre is (k + 1) / 2.",
    "mistake.swapped_axes": "Height comes first: you gave width × height.",
    # --- grading --------------------------------------------------------------------------
    "grade.correct": "Correct!",
    "grade.wrong": "Not quite.",
    "grade.expected_pair": "Answer with a size such as 11×11.",
    "grade.expected_number": "Answer with a single number.",
    "grade.expected_choice": "Answer with a letter from A to {last}.",
    "grade.not_an_answer": "That does not read as an answer.",
    # --- conversation -------------------------------------------------------------------
    "kind.output_size": "output size",
    "kind.param_count": "parameter count",
    "kind.bottleneck": "1×1 bottleneck",
    "kind.odd_kernel": "odd kernels",
    # --- cards (what the bot posts) -----------------------------------------------------
    "card.question.title": "Question · {kind} · difficulty {difficulty}",
    "card.question.footer": "Type your answer in this channel. Code {code} · {points} points",
    "card.question.footer.choice": (
        "Press a button or type the letter. Code {code} · {points} points"
    ),
    "card.practice": " · practice (not ranked)",
    "card.close.title": "Question {code}: the answer",
    "card.close.stopped": " (stopped early)",
    "card.close.answer": "The answer: **{answer}**",
    "card.close.correct": "Correct",
    "card.close.partial": "Partly right",
    "card.close.nobody": "nobody this time",
    "card.close.footer": "{answered} answered",
    "card.close.footer.first": "{answered} answered · ★ first correct",
    "card.board.title": "Leaderboard · {what}",
    "card.board.global": " · all servers",
    "card.board.week": "this week",
    "card.board.all": "all time",
    "card.board.row": "{rank}. {name} · {points} pts ({correct}/{answered} correct)",
    "card.board.empty": "No answers yet. Start with !convquiz.",
    "card.board.me": "You: #{rank} of {players} · {points} pts",
    "card.stats.title": "Stats for {name}",
    "card.stats.points": "Points",
    "card.stats.answered": "Correct",
    "card.stats.streak": "Streak",
    "card.stats.streak.value": "{current} now, best {best}",
    "card.stats.mistakes": "Most common mistakes",
    "card.stats.none": "No answers yet.",
    "card.config.title": "Quiz settings",
    "card.config.time_limit": "Time limit",
    "card.config.difficulty": "Default difficulty",
    "card.config.channels": "Channels",
    "card.config.starters": "Who may start",
    "card.config.pictures": "Pictures",
    "card.config.all": "all channels",
    "card.config.anyone": "anyone",
    "card.help.title": "convquiz: convolution-layer drills",
    "card.help.body": (
        "`{p}convquiz [kind] [1-3]`: a new question ({kinds}); answer by typing it in "
        "the channel, e.g. `11x11`, `4,640` or `B`.\n"
        "`{p}convquiz <code>`: replay a question for practice (not ranked).\n"
        "`{p}convquiz stop`: close the open question early (starter or moderator).\n"
        "`{p}leaderboard [week|all] [kind]`, `{p}stats [@user]`: scores.\n"
        "`{p}quizconfig`: server settings (Manage Server)."
    ),
    "reply.busy": (
        "A question is already open here: {code}. Answer it first, or wait until it closes."
    ),
    "reply.not_allowed_channel": "Quizzes are not enabled in this channel.",
    "reply.not_starter": "Only members with the quiz role can start questions here.",
    "reply.cooldown": "Slow down: try again in {seconds:.0f} s.",
    "reply.no_permission": "You need the Manage Server permission for that.",
    "reply.nothing_open": "No question is open in this channel.",
    "reply.stop_denied": "Only the person who started the question or a moderator can stop it.",
    "reply.database": "The quiz database is unavailable right now; please try again shortly.",
    "reply.bad_argument": "I could not read that: {detail}",
    "reply.error": "Something went wrong; it has been logged.",
    "reply.dm": "Quizzes run in servers, not in direct messages.",
    "reply.already": "You have already answered this question.",
    "reply.closed": "This question is closed.",
    "reply.saved": "Saved.",
    "reply.bad_setting": "Unknown setting {name!r}. Settings: {names}.",
    "reply.bad_value": "Bad value for {name}: {detail}",
    "error.no_templates": (
        "This server asks only its own templates, and none is enabled. See !template list."
    ),
    "error.unknown_template": (
        "There is no question kind or template named {name!r} here. Kinds: output_size, "
        "param_count, bottleneck, odd_kernel; templates: !template list."
    ),
    "error.template_disabled": "The template {name!r} is disabled (!template enable {name}).",
    "error.template_failed": "The template {name!r} could not make a question: {detail}",
    "error.unknown_kind": "Unknown question kind {kind!r}. Choose one of: {kinds}.",
    "error.bad_difficulty": "Difficulty must be 1, 2 or 3, not {value!r}.",
    "error.bad_code": "{code!r} is not a question code (they look like OS2-K9ZX1v1).",
    "error.old_code": (
        "{code!r} was made by generator version {version}; this bot is at version "
        "{current} and cannot rebuild it."
    ),
}

CATALOGS: dict[str, Mapping[str, str]] = {"en": EN}
LANGUAGES: tuple[str, ...] = tuple(CATALOGS)
DEFAULT_LANGUAGE = "en"


def t(key: str, lang: str = DEFAULT_LANGUAGE, /, **params: object) -> str:
    """The text for ``key`` in ``lang`` (English when missing), with ``params`` filled in."""
    catalog = CATALOGS.get(lang, EN)
    template = catalog.get(key) or EN[key]
    return template.format(**params) if params else template


def placeholders(template: str) -> set[str]:
    """The names a catalog entry expects, for checking catalogs against each other."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}
