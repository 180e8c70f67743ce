"""Template nodes that give what Django's give, with the work that is the same on every page
done once (`templates.Compiled` puts them in place of the originals, in the language being
published; see its docstring).
"""

from __future__ import annotations

import html
from typing import Any, cast

from django.conf import settings
from django.template import Context, Node
from django.template.base import VariableNode, render_value_in_context
from django.template.defaulttags import URLNode
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
