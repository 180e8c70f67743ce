"""Template nodes that give what Django's give, with the work that is the same on every page
done once (`templates.Compiled` puts them in place of the originals, in the language being
published; see its docstring).
"""

from __future__ import annotations

import html
from typing import Any, cast

from django.conf import settings
from django.template import Context, Node
from django.template.base import FilterExpression, Variable, VariableNode, render_value_in_context
from django.template.defaulttags import URLNode
from django.template.smartif import TokenBase
from django.templatetags.i18n import (
    BlockTranslateNode,
    GetAvailableLanguagesNode,
    GetCurrentLanguageNode,
)
from django.urls import NoReverseMatch
from django.utils import translation
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

from kpiledger.web.ledger.presenters import urls


def folded(node: Node) -> Node | None:
    """The node to use in place of `node` in the active language, or None to keep it."""
    if type(node) is VariableNode:
        node.__class__ = TextVariableNode
        return node
    if type(node) is URLNode:
        node.__class__ = RememberedURLNode
        return node
    if type(node) is GetCurrentLanguageNode:
        return FixedValueNode(node.variable, translation.get_language())
    if type(node) is GetAvailableLanguagesNode:
        languages = [(k, translation.gettext(v)) for k, v in settings.LANGUAGES]
        return FixedValueNode(node.variable, languages)
    if type(node) is BlockTranslateNode and _plain_message(node):
        return TranslatedBlockNode(node)
    return None


class TextVariableNode(VariableNode):
    """`{{ value }}` with a shorter way for plain text and whole numbers, most of a page's
    values: `render_value_in_context` leaves a `str` as it is (no time, no number to
    localize) and `conditional_escape` gives `html.escape` of it; text marked safe is written
    as it is; an `int` is written by `localize` as `str` writes it unless thousands are
    grouped (`USE_THOUSAND_SEPARATOR`)."""

    def render(self, context: Context) -> str:
        try:
            output = self.filter_expression.resolve(context)
        except UnicodeDecodeError:
            return ""
        kind = type(output)
        if kind is str and context.autoescape:
            return html.escape(cast(str, output))
        if kind is SafeString:
            return cast(str, output)
        if kind is int and not settings.USE_THOUSAND_SEPARATOR:
            return str(output)  # as `localize` writes a whole number without grouping
        return cast(str, render_value_in_context(output, context))


class FixedValueNode(Node):
    """`{% get_current_language as X %}`, `{% get_available_languages as X %}`: the answer of
    the language (a list copied for each page, as the original makes a new one)."""

    child_nodelists = ()

    def __init__(self, variable: str, value: Any) -> None:
        self.variable, self.value = variable, value

    def render(self, context: Context) -> str:
        value = self.value
        context[self.variable] = list(value) if isinstance(value, list) else value
        return ""


class RememberedURLNode(URLNode):
    """`{% url … %}` with its addresses remembered (`presenters.urls.reverse`)."""

    def render(self, context: Context) -> str:
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {k: v.resolve(context) for k, v in self.kwargs.items()}
        view_name = self.view_name.resolve(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        url = ""
        try:
            url = urls.reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        return str(conditional_escape(url)) if context.autoescape else url


def _plain_message(node: BlockTranslateNode) -> bool:
    """A `{% blocktranslate %}` without plural or context (its message: one lookup)."""
    return not node.plural and not node.countervar and not node.message_context


class TranslatedBlockNode(Node):
    """`{% blocktranslate with … %}…{% endblocktranslate %}` without plural or context, its
    message looked up once (`BlockTranslateNode.render`, the rest as it does)."""

    child_nodelists = ()

    def __init__(self, original: BlockTranslateNode) -> None:
        self.original = original
        singular, self.vars = original.render_token_list(original.singular)
        self.translated: str = translation.gettext(singular)

    def render(self, context: Context) -> str:
        original = self.original
        context.update({var: val.resolve(context) for var, val in original.extra_context.items()})
        default_value = context.template.engine.string_if_invalid

        def render_value(key: str) -> str:
            if key in context:
                val = context[key]
            else:
                val = default_value % key if "%s" in default_value else default_value
            return cast(str, render_value_in_context(val, context))

        data = {v: render_value(v) for v in self.vars}
        context.pop()
        try:
            result = self.translated % data
        except (KeyError, ValueError):
            return cast(str, original.render(context))  # as Django does (untranslated again)
        if original.asvar:
            context[original.asvar] = SafeString(result)
            return ""
        return result


# --- variables ----------------------------------------------------------------------------------


class PlainLookupVariable(Variable):
    """A `Variable` (`page.kpi.indicator`) looked up the short way when each step is a plain
    one: a name in the context, then keys of `dict`s and attributes of objects that have no
    `[]` (dataclasses, model instances), none of them callable. Django tries `obj[key]`
    before `getattr` at every step and catches the error for objects without `[]`; it gives
    the same value. Anything else (a missing name, a callable to call, a list index, an
    object with `[]`, an error) is looked up again Django's way from the start: the lookups
    only read, so the answer and the errors are Django's."""

    __slots__ = ()

    def _resolve_lookup(self, context: Any) -> Any:
        lookups = self.lookups
        try:
            current = context[lookups[0]]
            if callable(current):
                return super()._resolve_lookup(context)
            for bit in lookups[1:]:
                kind = type(current)
                if kind is dict:
                    current = current[bit]
                elif _without_brackets(kind):
                    current = getattr(current, bit)
                else:
                    return super()._resolve_lookup(context)
                if callable(current):
                    return super()._resolve_lookup(context)
        except Exception:
            return super()._resolve_lookup(context)
        return current


_BRACKETS: dict[type, bool] = {}


def _without_brackets(kind: type) -> bool:
    """Whether objects of `kind` have no `[]` (Django's lookup would fall back to getattr)."""
    found = _BRACKETS.get(kind)
    if found is None:
        found = _BRACKETS[kind] = not hasattr(kind, "__getitem__")
    return found


def plain_lookups(node: Node) -> None:
    """Every `Variable` the node resolves (its own expressions, its conditions, its tags'
    arguments; not its child nodes) looks up the short way (`PlainLookupVariable`)."""
    for value in vars(node).values():
        _plain_lookups_in(value, 0)


def _plain_lookups_in(value: Any, depth: int) -> None:
    if depth > 8:
        return
    if type(value) is Variable:
        if value.lookups is not None:
            value.__class__ = PlainLookupVariable
    elif isinstance(value, FilterExpression):
        _plain_lookups_in(value.var, depth + 1)
        for _function, arguments in value.filters:
            for _is_lookup, argument in arguments:
                _plain_lookups_in(argument, depth + 1)
    elif isinstance(value, list | tuple):
        for item in value:
            _plain_lookups_in(item, depth + 1)
    elif isinstance(value, dict):
        for item in value.values():
            _plain_lookups_in(item, depth + 1)
    elif isinstance(value, TokenBase):  # an `{% if %}` condition: a literal or an operator
        for name in ("value", "first", "second"):
            _plain_lookups_in(getattr(value, name, None), depth + 1)
