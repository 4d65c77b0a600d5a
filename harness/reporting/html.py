"""The sign-off report: its sections rendered from Jinja2 templates into pytest-html's summary.

Only the controller writes the report under xdist, so every section is built from the ``SignOff`` the
controller holds. Each section is one function that gives its values and one template named after it (package
data in ``templates/``, autoescaped); ``BEFORE_RESULTS`` and ``AFTER_RESULTS`` list the functions in page
order, so a new section is one template and one name there. The page's order (the verdict first, pytest-html's
environment last) and its print layout come from ``templates/style.css``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from importlib import resources
from typing import TYPE_CHECKING, Any

from harness.reporting import changes, quality_chart, views
from harness.reporting.signoff import SignOff

if TYPE_CHECKING:
    import jinja2


View = Callable[[SignOff], Mapping[str, Any]]
"""A section's values; its template is named after it (``views.coverage`` renders ``coverage.html.j2``)."""

BEFORE_RESULTS: tuple[View, ...] = (
    views.verdict, views.success, views.unexercised, views.coverage, changes.changes, quality_chart.quality,
    views.run,
)  # fmt: skip
"""What the person signing off reads first, above pytest-html's result filters."""

AFTER_RESULTS: tuple[View, ...] = (
    views.timeline, views.processors, views.history, views.expectations, views.estimates, views.chains,
    views.corrections,
)  # fmt: skip
"""The evidence behind the verdict, below the filters and above pytest-html's results table."""


@functools.cache
def environment() -> jinja2.Environment:
    """The templates, loaded from the package, every value escaped unless a template says otherwise."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("harness.reporting", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=False,
    )


def render(view: View, signoff: SignOff) -> str:
    """One section's HTML: the template named after its view, filled with the view's values."""
    return environment().get_template(f"{view.__name__}.html.j2").render(view(signoff))


def report_sections(signoff: SignOff) -> tuple[str, str]:
    """(before the results table, after it) for pytest-html's summary; the style goes with the first."""
    from markupsafe import Markup

    style = resources.files("harness.reporting").joinpath("templates/style.css").read_text(encoding="utf-8")
    page = environment().get_template("report.html.j2")

    def place(sections: tuple[View, ...], css: str) -> str:
        return page.render(style=css, sections=[Markup(render(s, signoff)) for s in sections])

    return place(BEFORE_RESULTS, style), place(AFTER_RESULTS, "")
