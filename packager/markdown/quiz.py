"""``::: quiz`` (graded) and ``::: check`` (ungraded): questions of five kinds, from list shapes.

Each question starts at a level-3 heading (the prompt). The first block whose shape fits the question's
kind holds the answers: a task list (choice), ``= answer`` lines (fill-in), an ordered list (order) or
``left -> right`` items (match). Blocks before it extend the prompt; blocks after it explain.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Sequence

from markdown_it.token import Token

from ..errors import did_you_mean
from ..model import Item, Option, Pair, Question, Quiz
from .context import Container, Context, parse_params, slug

QUIZ_OPTIONS = ("pass", "draw", "shuffle", "attempts", "id", "category", "time")
CATEGORIES = ("practice", "course", "competency", "standalone")
"""``category=``: the iGOT question set a quiz becomes (``packager.igot.questions``)."""
KIND_WORDS = ("single", "multiple", "fill", "order", "match")
QUESTION_OPTIONS = ("points", "id", "competency")
_ATTRS = re.compile(r"\s*\{([^{}]*)\}\s*$")
_MARK = re.compile(r"^\[( |x|X)\]\s*")
ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


def normalise_answer(text: str) -> str:
    """How fill-in answers are compared: NFC, case-folded, trimmed, inner space folded.

    >>> normalise_answer("  Grievance   REGISTER ")
    'grievance register'
    """
    return " ".join(unicodedata.normalize("NFC", text).lower().split())


def parse(box: Container, ctx: Context) -> Quiz:
    graded = box.kind == "quiz"
    options, words = parse_params(box.params)
    for word in words:
        ctx.env.error(box.line, f"'{word}' is not a quiz option; write key=value ({', '.join(QUIZ_OPTIONS)})")
    for key in options:
        if key not in QUIZ_OPTIONS:
            ctx.env.error(box.line, f"unknown quiz option '{key}'{did_you_mean(key, QUIZ_OPTIONS)}")
    number = ctx.next_number(box.kind)
    quiz_id = options.get("id") or f"{ctx.lesson_slug}-{box.kind}{number}"
    if not ID.match(quiz_id):
        ctx.env.error(box.line, f"quiz id '{quiz_id}' may use only letters, digits, '-' and '_' (64 at most)")
        quiz_id = slug(quiz_id)[:64]
    quiz = Quiz(
        id=quiz_id,
        graded=graded,
        line=ctx.env.line(box.line),
        pass_mark=_number(options, "pass", 0, 100, box.line, ctx),
        draw=_number(options, "draw", 1, 1000, box.line, ctx),
        attempts=_number(options, "attempts", 1, 100, box.line, ctx),
        shuffle=_yes_no(options.get("shuffle", "yes"), box.line, ctx),
        time_limit=_number(options, "time", 1, 600, box.line, ctx),
        category=_category(options.get("category"), graded, box.line, ctx),
    )
    groups = _split_at_questions(box.tokens)
    if groups and groups[0] and not _is_question_start(groups[0]):
        quiz.intro_html = ctx.render(groups.pop(0))
    for group in groups:
        quiz.questions.append(_question(group, quiz, ctx))
    if not quiz.questions:
        ctx.env.error(box.line, f"'::: {box.kind}' has no questions: start each with a '### ' heading")
    if quiz.draw and quiz.draw > len(quiz.questions):
        ctx.env.error(box.line, f"draw={quiz.draw} but the quiz has only {len(quiz.questions)} questions")
    return quiz


def _number(options: dict[str, str], key: str, low: int, high: int, line: int, ctx: Context) -> int | None:
    if key not in options:
        return None
    value = options[key]
    if not value.isdigit() or not low <= int(value) <= high:
        ctx.env.error(line, f"quiz option {key}={value} must be a whole number from {low} to {high}")
        return None
    return int(value)


def _category(value: str | None, graded: bool, line: int, ctx: Context) -> str | None:
    if value is None:
        return None
    if value not in CATEGORIES:
        ctx.env.error(line, f"category={value} must be one of {', '.join(CATEGORIES)}{did_you_mean(value, CATEGORIES)}")
        return None
    if not graded and value != "practice":
        # an ungraded check scored as an assessment on iGOT would count there and nowhere else
        ctx.env.error(line, f"a '::: check' is ungraded, so its only category is practice; use '::: quiz' for {value}")
        return None
    return value


def _yes_no(value: str, line: int, ctx: Context) -> bool:
    if value.lower() in ("yes", "true", "on"):
        return True
    if value.lower() in ("no", "false", "off"):
        return False
    ctx.env.error(line, f"shuffle={value} must be yes or no")
    return True


def _is_question_start(tokens: Sequence[Token]) -> bool:
    return bool(tokens) and tokens[0].type == "heading_open" and tokens[0].tag == "h3"


def _split_at_questions(tokens: list[Token]) -> list[list[Token]]:
    if not tokens:
        return []
    base = tokens[0].level
    groups: list[list[Token]] = [[]]
    for token in tokens:
        if token.type == "heading_open" and token.tag == "h3" and token.level == base and groups[-1]:
            groups.append([])
        groups[-1].append(token)
    return [g for g in groups if g]


def _blocks(tokens: Sequence[Token]) -> list[list[Token]]:
    """Group a token run into its top-level blocks."""
    blocks: list[list[Token]] = []
    depth = 0
    for token in tokens:
        if depth == 0:
            blocks.append([])
        blocks[-1].append(token)
        depth += token.nesting
    return blocks


def _shape(block: Sequence[Token]) -> str | None:
    first = block[0]
    if first.type == "ordered_list_open":
        return "ordered"
    if first.type == "bullet_list_open":
        inline = next((t for t in block if t.type == "inline"), None)
        return "choice" if inline is not None and _MARK.match(inline.content) else "bullet"
    if first.type == "paragraph_open" and len(block) > 1:
        lines = block[1].content.splitlines()
        if lines and all(line.lstrip().startswith("=") for line in lines):
            return "fill"
    return None


_WANTED = {
    None: ("choice", "fill"),
    "single": ("choice",),
    "multiple": ("choice",),
    "fill": ("fill",),
    "order": ("ordered",),
    "match": ("bullet", "choice"),
}
_MISSING = {
    None: "has no answers: list options as '- [x] right' / '- [ ] wrong', or answers as '= answer'",
    "single": "has no options: list them as '- [x] right' / '- [ ] wrong'",
    "multiple": "has no options: list them as '- [x] right' / '- [ ] wrong'",
    "fill": "has no answers: write each accepted answer on a line '= answer'",
    "order": "needs a numbered list of the items in the right order",
    "match": "needs a list of 'left -> right' lines",
}


def _question(group: list[Token], quiz: Quiz, ctx: Context) -> Question:
    heading = group[1]
    line = heading.map[0] if heading.map else 0
    children = list(heading.children or [])
    kind_word, qopts = _heading_options(children, line, ctx)
    number = ctx.next_number(f"question:{quiz.id}")
    qid = qopts.get("id") or f"{quiz.id}-q{number}"
    if not ID.match(qid):
        ctx.env.error(line, f"question id '{qid}' may use only letters, digits, '-' and '_' (64 at most)")
        qid = slug(qid)[:64]
    points = 1
    if "points" in qopts:
        if qopts["points"].isdigit() and 1 <= int(qopts["points"]) <= 100:
            points = int(qopts["points"])
        else:
            ctx.env.error(line, f"points={qopts['points']} must be a whole number from 1 to 100")
    question = Question(
        id=qid,
        kind="single",
        prompt_html=ctx.render_inline(children),
        prompt_text=ctx.text(children),
        line=ctx.env.line(line),
        points=points,
    )
    if "competency" in qopts:  # checked against course.yml by checks/competencies.py
        question.competency_refs = [r.strip().lower() for r in qopts["competency"].split(",") if r.strip()]
    if not question.prompt_text:
        ctx.env.error(line, "question has no prompt")
    blocks = _blocks(group[3:])
    wanted = _WANTED[kind_word]
    at = next((i for i, b in enumerate(blocks) if _shape(b) in wanted), None)
    if at is None:
        ctx.env.error(line, f"question '{question.prompt_text[:50]}' {_MISSING[kind_word]}")
        question.prompt_more_html = ctx.render([t for b in blocks for t in b])
        return question
    question.prompt_more_html = ctx.render([t for b in blocks[:at] for t in b])
    question.explanation_html = ctx.render([t for b in blocks[at + 1 :] for t in b])
    answers = blocks[at]
    if kind_word == "order":
        _order(question, answers, ctx)
    elif kind_word == "match":
        _match(question, answers, ctx)
    elif _shape(answers) == "fill":
        _fill(question, answers, ctx)
    else:
        _choice(question, answers, kind_word, ctx)
    return question


def _heading_options(children: list[Token], line: int, ctx: Context) -> tuple[str | None, dict[str, str]]:
    """Strip a trailing ``{…}`` from the heading's last text token and read it."""
    if not children or children[-1].type != "text":
        return None, {}
    match = _ATTRS.search(children[-1].content)
    if not match:
        return None, {}
    last = copy.copy(children[-1])
    last.content = children[-1].content[: match.start()]
    children[-1] = last
    options, words = parse_params(match.group(1))
    kind = None
    for word in words:
        if word in KIND_WORDS:
            kind = word
        else:
            ctx.env.error(
                line, f"unknown question type '{word}'{did_you_mean(word, KIND_WORDS)}; use multiple, order or match"
            )
    for key in options:
        if key not in QUESTION_OPTIONS:
            ctx.env.error(line, f"unknown question option '{key}'{did_you_mean(key, QUESTION_OPTIONS)}")
    return kind, options


def _items(block: Sequence[Token]) -> list[tuple[int, list[Token]]]:
    """(0-based line, tokens) of each item of the list that *block* is."""
    items: list[tuple[int, list[Token]]] = []
    depth = 0
    for token in block[1:-1]:
        if token.type == "list_item_open" and depth == 0:
            items.append((token.map[0] if token.map else 0, []))
        elif items:
            items[-1][1].append(token)
        depth += token.nesting
    for _, tokens in items:
        if tokens and tokens[-1].type == "list_item_close":
            tokens.pop()
    return items


def _first_inline(tokens: Sequence[Token]) -> Token | None:
    return next((t for t in tokens if t.type == "inline"), None)


def _choice(question: Question, block: Sequence[Token], kind_word: str | None, ctx: Context) -> None:
    for number, (line, tokens) in enumerate(_items(block), start=1):
        inline = _first_inline(tokens)
        children = list(inline.children or []) if inline else []
        mark = _MARK.match(children[0].content) if children and children[0].type == "text" else None
        if mark is None:
            ctx.env.error(line, "option must start with '[ ]' (wrong) or '[x]' (right)")
            continue
        first = copy.copy(children[0])
        first.content = first.content[mark.end() :]
        children[0] = first
        feedback = _feedback(tokens, ctx)
        question.options.append(
            Option(f"o{number}", ctx.render_inline(children), mark.group(1) != " ", feedback, ctx.env.line(line))
        )
    correct = sum(o.correct for o in question.options)
    question.kind = "multiple" if kind_word == "multiple" or correct > 1 else "single"
    if kind_word == "single" and correct > 1:
        ctx.env.error_at(question.line, "a {single} question must have exactly one [x]")
    if len(question.options) < 2:
        ctx.env.error_at(question.line, "a choice question needs at least two options")
    if question.options and correct == 0:
        ctx.env.error_at(
            question.line, f"question '{question.prompt_text[:50]}' has no correct answer: mark one with [x]"
        )


def _feedback(tokens: Sequence[Token], ctx: Context) -> str:
    start = next((i for i, t in enumerate(tokens) if t.type == "blockquote_open"), None)
    if start is None:
        return ""
    depth, end = 0, start
    for end in range(start, len(tokens)):
        depth += tokens[end].nesting
        if depth == 0:
            break
    return ctx.render(tokens[start + 1 : end])


def _fill(question: Question, block: Sequence[Token], ctx: Context) -> None:
    question.kind = "fill"
    line0 = block[0].map[0] if block[0].map else 0
    for offset, text in enumerate(block[1].content.splitlines()):
        answer = text.strip()[1:].strip()
        if not answer:
            ctx.env.error(line0 + offset, "empty fill-in answer: write '= answer'")
        else:
            question.answers.append(answer)


def _order(question: Question, block: Sequence[Token], ctx: Context) -> None:
    question.kind = "order"
    for number, (line, tokens) in enumerate(_items(block), start=1):
        inline = _first_inline(tokens)
        question.items.append(
            Item(f"i{number}", ctx.render_inline(inline.children or []) if inline else "", ctx.env.line(line))
        )
    if len(question.items) < 2:
        ctx.env.error_at(question.line, "an order question needs at least two items")


def _match(question: Question, block: Sequence[Token], ctx: Context) -> None:
    question.kind = "match"
    rights: dict[str, Item] = {}
    for number, (line, tokens) in enumerate(_items(block), start=1):
        inline = _first_inline(tokens)
        children = list(inline.children or []) if inline else []
        mark = _MARK.match(children[0].content) if children and children[0].type == "text" else None
        if mark:  # written like options ('- [ ] a -> b'): the box means nothing here, only the pair does
            children[0] = copy.copy(children[0])
            children[0].content = children[0].content[mark.end() :]
        halves = _split_children(children, "->") if inline else None
        if halves is None:
            content = inline.content if inline else ""
            ctx.env.error(line, f"malformed match line '{content[:60]}': write 'left -> right'")
            continue
        left_html, right_html = (ctx.render_inline(h).strip() for h in halves)
        if not ctx.text(halves[0]) or not ctx.text(halves[1]):
            ctx.env.error(line, "malformed match line: both sides of '->' need text")
            continue
        right = rights.setdefault(right_html, Item(f"r{len(rights) + 1}", right_html, ctx.env.line(line)))
        question.pairs.append(Pair(Item(f"l{number}", left_html, ctx.env.line(line)), right))
    if len(question.pairs) < 2:
        ctx.env.error_at(question.line, "a match question needs at least two 'left -> right' lines")


def _split_children(children: list[Token], sep: str) -> tuple[list[Token], list[Token]] | None:
    """Split inline tokens at the one text occurrence of *sep*; None unless there is exactly one."""
    hits = [(i, c.content.count(sep)) for i, c in enumerate(children) if c.type == "text" and sep in c.content]
    if len(hits) != 1 or hits[0][1] != 1:
        return None
    i = hits[0][0]
    before, after = children[i].content.split(sep)
    left, right = copy.copy(children[i]), copy.copy(children[i])
    left.content, right.content = before.rstrip(), after.lstrip()
    return [*children[:i], left], [right, *children[i + 1 :]]
