"""eXeLearning's quiz iDevices in an exported page, as questions.

eXe writes each iDevice as ``<div class="iDevice_wrapper KindIdevice">``. Read here:
``MultiSelectIdevice`` (check boxes whose ``value`` is ``True`` or ``False``),
``MultichoiceIdevice`` (radio buttons; the right one is marked only where the export gives the inputs
a ``True`` value, else the question is kept as text and reported) and ``TrueFalseIdevice`` (the
feedback names the right answer in ``<strong class="right">``). Other iDevices are plain HTML.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .html import Choice, Converter, Question, Special, escape, quiz_markdown

if TYPE_CHECKING:
    from .package import Reading

KINDS = ("MultiSelectIdevice", "MultichoiceIdevice", "TrueFalseIdevice")


def idevice(reading: Reading, where: str) -> Special:
    """The page converter's hook: Markdown for a quiz iDevice, None for anything else."""

    def special(el: Any, converter: Converter) -> str | None:
        classes = (el.get("class") or "").split()
        if "iDevice_wrapper" not in classes:
            return None
        kind = next((k for k in KINDS if k in classes), None)
        if kind is None:
            return None
        title = el.xpath(".//*[contains(@class, 'iDeviceTitle')]")
        name = " ".join(title[0].text_content().split()) if title else kind
        questions, unmarked = _questions(el, kind, converter)
        if questions:
            reading.course.note(f"{where}: {name}", "converted", f"{len(questions)} question(s)")
        if unmarked:
            reading.course.note(
                f"{where}: {name}",
                "approximated",
                f"{len(unmarked)} question(s) kept as text: the page does not mark the right answer",
            )
        parts = [quiz_markdown(questions, graded=False)] if questions else []
        for q in unmarked:
            parts.append(q.prompt + "\n\n" + "\n".join(f"- {c.text}" for c in q.choices))
        return "\n\n".join(parts)

    return special


def _text(el: Any, converter: Converter) -> str:
    return " ".join(converter.markdown(el).split("\n\n")).strip() if el is not None else ""


def _questions(wrapper: Any, kind: str, converter: Converter) -> tuple[list[Question], list[Question]]:
    marked: list[Question] = []
    unmarked: list[Question] = []
    # every question has a prompt block (id "taquestion…") followed by its answers, up to the next one
    prompts = wrapper.xpath(".//*[starts-with(@id, 'taquestion')]")
    for prompt in prompts:
        q = Question(prompt=_text(prompt, converter), kind="multiple" if kind == "MultiSelectIdevice" else "single")
        if kind == "TrueFalseIdevice":
            _true_false(q, prompt.getparent())
        else:
            for answer in _answers(prompt):
                field = answer.xpath(".//input")
                content = answer.xpath(".//*[contains(@class, 'iDevice_answer-content')]")
                value = (field[0].get("value") or "") if field else ""
                q.choices.append(Choice(_text(content[0], converter) if content else "", value == "True"))
            if any(c.correct for c in q.choices) and kind == "MultichoiceIdevice":
                q.kind = "multiple" if sum(c.correct for c in q.choices) > 1 else "single"
        (marked if q.usable() else unmarked).append(q)
    return marked, [q for q in unmarked if q.prompt and q.choices]


def _answers(prompt: Any) -> list[Any]:
    """The ``iDevice_answer`` elements after *prompt*, up to the next question's prompt."""
    out = []
    for el in prompt.itersiblings():
        if (el.get("id") or "").startswith("taquestion"):
            break
        if "iDevice_answer" in (el.get("class") or "").split():
            out.append(el)
        out += el.xpath(".//*[contains(concat(' ', @class, ' '), ' iDevice_answer ')]")
    return out


def _true_false(q: Question, scope: Any) -> None:
    labels = [" ".join(label.text_content().split()) for label in scope.xpath(".//label[.//input[@type='radio']]")]
    result = scope.xpath(".//strong[contains(@id, '-result')]")
    if len(labels) != 2 or not result:
        return
    right = " ".join(result[0].text_content().split())
    q.choices = [Choice(escape(label), label == right) for label in labels]
