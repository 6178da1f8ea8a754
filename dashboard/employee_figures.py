"""Where each employee figure comes from: one provider per domain, registered in one line.

    dashboard.employee_figures.register("calls", figures=call_figures, defaults={"calls": 0, "talk_seconds": 0})

`figures(user_ids=..., start=..., end=...)` returns {user_id: {field: value}} for the users
of `user_ids` over [start, end) (aware datetimes), in a fixed number of queries (grouped
aggregates, never one query per user). A user missing from the answer gets `defaults`.
The dashboard `expect`s the figures of apps that may not be installed yet (calls): zeros until
that app registers its provider, whichever of the two `ready()` methods runs first.
"""

from collections.abc import Callable
from dataclasses import dataclass

FiguresFunction = Callable[..., dict[int, dict]]


@dataclass(frozen=True)
class Provider:
    name: str
    figures: FiguresFunction
    defaults: dict


_providers: dict[str, Provider] = {}


def register(name: str, *, figures: FiguresFunction, defaults: dict) -> None:
    _providers[name] = Provider(name=name, figures=figures, defaults=dict(defaults))


def _nothing(*, user_ids, start, end) -> dict[int, dict]:
    return {}


def expect(name: str, *, defaults: dict) -> None:
    """Figures that stay at `defaults` until an app registers a provider under `name`."""
    if name not in _providers:
        register(name, figures=_nothing, defaults=defaults)


def figures_for(*, user_ids: list[int], start, end) -> dict[int, dict]:
    rows = {user_id: {} for user_id in user_ids}
    for provider in _providers.values():
        found = provider.figures(user_ids=user_ids, start=start, end=end) if user_ids else {}
        for user_id in user_ids:
            rows[user_id].update({**provider.defaults, **found.get(user_id, {})})
    return rows
