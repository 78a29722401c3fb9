"""Reading a formula's text into a syntax tree, bounded before and after parsing.

The text's length, characters and bracket depth are checked before ``ast.parse(...,
mode="eval")`` sees it, and the tree's depth and size right after (iteratively, so a deep
tree cannot exhaust the stack). Parsing builds a tree only: nothing is compiled to code
or evaluated here.
"""

from __future__ import annotations

import ast

from bot.engine.templates._expr_values import FormulaError

__all__ = [
    "MAX_BRACKET_DEPTH",
    "MAX_FORMULA_CHARS",
    "MAX_NODES",
    "MAX_TREE_DEPTH",
    "constant_nodes",
    "parse",
]

MAX_FORMULA_CHARS = 300
MAX_BRACKET_DEPTH = 12  # ( ... ) nesting, checked on the raw text before ast.parse
MAX_TREE_DEPTH = 40  # nodes from root to leaf, checked (iteratively) after parsing
MAX_NODES = 200

_ALLOWED_CHARS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_ \t\n+-*/%()<>=!,.'\""
)
_CHAR_HINTS = {
    "×": "use * to multiply",
    "·": "use * to multiply",
    "−": "use - to subtract",
    "÷": "use / to divide",
    "[": "lists and subscripts are not part of the formula language; a pair is (a, b)",
    "]": "lists and subscripts are not part of the formula language; a pair is (a, b)",
    "{": "braces are not part of the formula language",
    "}": "braces are not part of the formula language",
    ":": "lambdas, slices and := are not part of the formula language",
    "\\": "backslashes are not allowed",
    ";": "a formula is a single expression",
    "#": "comments are not allowed in a formula",
    "@": "@ is not an operator here",
    "~": "bitwise operators are not allowed",
    "&": "use 'and'",
    "|": "use 'or'",
    "^": "use ** for powers",
}


def _check_text(text: str) -> str:
    if len(text) > MAX_FORMULA_CHARS:
        raise FormulaError(
            f"the formula is {len(text):,} characters long; the limit is {MAX_FORMULA_CHARS}"
        )
    body = text.strip()
    if not body:
        raise FormulaError("the formula is empty")
    depth = 0
    for column, char in enumerate(body, start=1):
        if char not in _ALLOWED_CHARS:
            hint = _CHAR_HINTS.get(char, "only numbers, parameters, operators and calls")
            shown = repr(char) if char.isprintable() else f"U+{ord(char):04X}"
            raise FormulaError(f"character {shown} at column {column} is not allowed ({hint})")
        if char == "(":
            depth += 1
            if depth > MAX_BRACKET_DEPTH:
                raise FormulaError(
                    f"brackets are nested more than {MAX_BRACKET_DEPTH} deep (column {column})"
                )
        elif char == ")":
            depth -= 1
    return body


def _tree_depth(root: ast.AST) -> tuple[int, int]:
    """(depth, node count) of a tree, walked iteratively."""
    deepest, count = 0, 0
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        count += 1
        deepest = max(deepest, depth)
        if deepest > MAX_TREE_DEPTH or count > MAX_NODES:
            break
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest, count


def parse(text: object) -> tuple[ast.Expression, int]:
    """The checked syntax tree of a formula and its node count.

    Raises ``FormulaError`` with an admin-facing reason; evaluates nothing.
    """
    if not isinstance(text, str):
        raise FormulaError(f"a formula must be text, got {type(text).__name__}")
    body = _check_text(text)
    try:
        tree = ast.parse(body, mode="eval")
    except SyntaxError as error:
        where = f" at column {error.offset}" if error.offset else ""
        raise FormulaError(f"not a valid formula{where}: {error.msg}") from None
    except (ValueError, MemoryError, RecursionError) as error:
        raise FormulaError(f"not a valid formula: {type(error).__name__}") from None
    depth, count = _tree_depth(tree)
    if depth > MAX_TREE_DEPTH:
        raise FormulaError(f"the formula is nested more than {MAX_TREE_DEPTH} levels deep")
    if count > MAX_NODES:
        raise FormulaError(f"the formula has more than {MAX_NODES} parts")
    return tree, count


def constant_nodes(root: ast.AST) -> set[int]:
    """ids of the nodes whose subtree reads no parameter (function names aside)."""
    callees = {id(node.func) for node in ast.walk(root) if isinstance(node, ast.Call)}
    order: list[ast.AST] = []
    stack = [root]
    while stack:
        node = stack.pop()
        order.append(node)
        stack.extend(ast.iter_child_nodes(node))
    variable: set[int] = set()
    for node in reversed(order):  # children before parents
        if (isinstance(node, ast.Name) and id(node) not in callees) or any(
            id(child) in variable for child in ast.iter_child_nodes(node)
        ):
            variable.add(id(node))
    return {id(node) for node in order if id(node) not in variable}
