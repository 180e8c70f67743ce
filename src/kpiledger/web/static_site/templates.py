"""The app's page templates, compiled once per language for publishing tens of thousands of
pages.

A KPI page renders about 80 `{% translate "…" %}` of fixed text, 6 `{% static "…" %}` of
fixed paths and 2 `{% url "…" %}` without arguments; each is a catalogue or storage lookup or
a reversal on every page. For the static site each template (with the templates it extends
and includes by a fixed name) is compiled afresh from its source and those nodes are replaced
by their text in the language being published: the output is the same, byte for byte (the
tests compare the site's pages with the server's), the server's own cached templates are
untouched. Anything that depends on the page (variables, `{% blocktranslate %}`, `{% url %}`
with arguments) stays as it is, except that what is the same on every page is worked out once:
the `date` filter remembers what it wrote (the change histories of a whole ledger have few
distinct times, one per import, each formatted on many pages); `{% url %}` with arguments
remembers its addresses (`presenters.urls.reverse`: a KPI page names its own address several
times); `{% blocktranslate %}` looks its message up once; `{% get_current_language %}` and
`{% get_available_languages %}` give the language's fixed answer; variables are looked up
the short way where each step is a plain key or attribute (`PlainLookupVariable`); and a
template that others extend knows its blocks (`{% extends %}` otherwise searches the
parent's every node on every page).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.template import Context, defaultfilters, engines
from django.template.base import Node, NodeList, Template, TextNode, VariableNode
from django.template.defaulttags import URLNode
from django.template.loader_tags import ExtendsNode, IncludeNode
from django.templatetags.i18n import TranslateNode
from django.templatetags.static import StaticNode
from django.utils import translation

from kpiledger.web.remembered import Remembered
from kpiledger.web.static_site import template_nodes

REMEMBERED_DATES = 10_000


class _Fixed:
    """Stands for a template name resolved ahead: resolves to the compiled template."""

    def __init__(self, template: Template, token: str) -> None:
        self.template, self.token = template, token

    def resolve(self, context: Context, ignore_failures: bool = False) -> Template:
        return self.template


class Compiled:
    """Templates folded for one language (`get` compiles each once)."""

    def __init__(self, language: str) -> None:
        self.language = language
        self._done: dict[str, Template] = {}
        self.engine = engines["django"].engine  # type: ignore[attr-defined]
        self.date = _remembered_date()

    def get(self, name: str) -> Template:
        found = self._done.get(name)
        if found is None:
            original, _origin = self.engine.find_template(name)  # not get_template: see `folded`
            found = Template(original.source, original.origin, name, self.engine)
            with translation.override(self.language):
                self._fold(found.nodelist)
            _remember_nodes_by_type(found.nodelist)
            self._done[name] = found
        return found

    def _fold(self, nodes: NodeList) -> None:
        for index, node in enumerate(nodes):
            text = _fixed_text(node)
            if text is not None:
                nodes[index] = TextNode(text)
                continue
            replaced = template_nodes.folded(node)
            if replaced is not None:
                nodes[index] = node = replaced
            if isinstance(node, ExtendsNode | IncludeNode):
                self._follow(node)
            if isinstance(node, VariableNode):
                self._remember_dates(node)
            template_nodes.plain_lookups(node)
            for name in node.child_nodelists:
                child = getattr(node, name, None)
                if child:
                    self._fold(child)
            for _condition, child in getattr(node, "conditions_nodelists", ()):
                self._fold(child)
        _join_texts(nodes)

    def _remember_dates(self, node: VariableNode) -> None:
        filters = node.filter_expression.filters
        for index, (function, arguments) in enumerate(filters):
            if function is defaultfilters.date:
                filters[index] = (self.date, arguments)

    def _follow(self, node: ExtendsNode | IncludeNode) -> None:
        """An `{% extends %}` or `{% include %}` of a fixed name uses the folded copy."""
        attribute = "parent_name" if isinstance(node, ExtendsNode) else "template"
        expression = getattr(node, attribute)
        literal = _literal_text(expression)
        if literal is not None:
            setattr(node, attribute, _Fixed(self.get(literal), expression.token))


@contextlib.contextmanager
def folded(compiled: Callable[[str], Compiled]) -> Iterator[None]:
    """Within the block, the views render the folded templates of the active language
    (`compiled`: language → its `Compiled`), as the static site renders the pages above one
    organization by calling their views; the engine is as before afterwards."""
    engine = engines["django"].engine  # type: ignore[attr-defined]

    def get_template(name: str) -> Template:
        return compiled(translation.get_language() or settings.LANGUAGE_CODE).get(name)

    engine.get_template = get_template
    try:
        yield
    finally:
        del engine.get_template  # the class's own again


def _join_texts(nodes: NodeList) -> None:
    """Neighbouring fixed texts (the folded `{% translate %}`s and the markup around them) as
    one text node: one node fewer to render for each."""
    joined: list[Node] = []
    for node in nodes:
        if type(node) is TextNode and joined and type(joined[-1]) is TextNode:
            joined[-1] = TextNode(joined[-1].s + node.s)
        else:
            joined.append(node)
    nodes[:] = joined


def _remember_nodes_by_type(nodes: NodeList) -> None:
    """`nodes.get_nodes_by_type` answering each type from the first search: `{% extends %}`
    searches its parent's nodes for blocks on every page. For folded templates, whose nodes
    do not change afterwards."""
    search = nodes.get_nodes_by_type
    nodes.get_nodes_by_type = functools.cache(search)  # type: ignore[method-assign]


def _remembered_date() -> Any:
    """Django's `date` filter, each (time, format) formatted once (for one language: a
    `Compiled` has its own). The time comes already in local time, as the filter asks."""
    written: Remembered[tuple[Any, Any], str] = Remembered(REMEMBERED_DATES)

    def date(value: Any, arg: Any = None) -> str:
        key = (value, arg)
        found = written.get(key)
        if found is None:
            found = written.keep(key, defaultfilters.date(value, arg))
        return found

    date.expects_localtime = True  # type: ignore[attr-defined]
    date.is_safe = False  # type: ignore[attr-defined]
    return date


def _fixed_text(node: Node) -> str | None:
    """The output of a node whose output is fixed text in the active language, else None."""
    if (
        isinstance(node, TranslateNode)
        and not node.asvar
        and _literal(node.filter_expression)
        and (node.message_context is None or _literal(node.message_context))
    ):
        return str(node.render(Context(autoescape=True)))
    if isinstance(node, StaticNode) and node.varname is None and _literal(node.path):
        return str(node.render(Context(autoescape=True)))
    if (
        isinstance(node, URLNode)
        and node.asvar is None
        and not node.args
        and not node.kwargs
        and _literal(node.view_name)
    ):
        return str(node.render(Context(autoescape=True)))
    return None


def _literal(expression: Any) -> bool:
    return _literal_text(expression) is not None


def _literal_text(expression: Any) -> str | None:
    """The text of a quoted string without filters (`"base.html"`), else None. The parser
    keeps a constant as the string itself; `{% translate %}` wraps it in a `Variable`."""
    if expression.filters:
        return None
    var = getattr(expression, "var", None)
    if isinstance(var, str):
        return var
    literal = getattr(var, "literal", None)
    return literal if isinstance(literal, str) else None
