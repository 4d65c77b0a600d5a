"""The sign-off report: its sections rendered from Jinja2 templates into pytest-html's summary.

Only the controller writes the report under xdist, so every section is built from the ``SignOff`` the
controller holds. Each section is one template (package data in ``templates/``, autoescaped) and one
function that gives it its values; ``BEFORE_RESULTS`` and ``AFTER_RESULTS`` list them in page order, so a
new section is one template and one line there. The page's order (the verdict first, pytest-html's
environment last) and its print layout come from ``templates/style.css``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

from harness.reporting import changes, quality_chart, views
from harness.reporting.signoff import SignOff

if TYPE_CHECKING:
    import jinja2


@dataclass(frozen=True)
class Section:
    """One part of the page: its template and the values the template reads."""

    template: str
    values: Callable[[SignOff], Mapping[str, Any]]


BEFORE_RESULTS: tuple[Section, ...] = (
    Section("verdict.html.j2", views.verdict),
    Section("success.html.j2", views.success),
    Section("unexercised.html.j2", views.unexercised),
    Section("coverage.html.j2", views.coverage),
    Section("changes.html.j2", changes.changes),
    Section("quality.html.j2", quality_chart.quality),
    Section("run.html.j2", views.run),
)
"""What the person signing off reads first, above pytest-html's result filters."""

AFTER_RESULTS: tuple[Section, ...] = (
    Section("timeline.html.j2", views.timeline),
    Section("processors.html.j2", views.processors),
    Section("history.html.j2", views.history),
    Section("expectations.html.j2", views.expectations),
    Section("estimate.html.j2", views.estimates),
    Section("chains.html.j2", views.chains),
    Section("corrections.html.j2", views.corrections),
)
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


def render(section: Section, signoff: SignOff) -> str:
    """One section's HTML."""
    return environment().get_template(section.template).render(section.values(signoff))


def report_sections(signoff: SignOff) -> tuple[str, str]:
    """(before the results table, after it) for pytest-html's summary; the style goes with the first."""
    from markupsafe import Markup

    style = resources.files("harness.reporting").joinpath("templates/style.css").read_text(encoding="utf-8")
    page = environment().get_template("report.html.j2")

    def place(sections: tuple[Section, ...], css: str) -> str:
        return page.render(style=css, sections=[Markup(render(s, signoff)) for s in sections])

    return place(BEFORE_RESULTS, style), place(AFTER_RESULTS, "")
