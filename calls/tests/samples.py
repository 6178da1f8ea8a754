"""Binotel's sample payloads (copied from the integration notes), as the fakes send them."""

import json
from pathlib import Path

FOLDER = Path(__file__).parent / "samples"


def text(name: str) -> str:
    return (FOLDER / name).read_text(encoding="utf-8").strip()


def load(name: str) -> dict:
    return json.loads(text(name))


def event(name: str, **changes) -> dict:
    """A WebSocket event sample (callStart, callAnswer, callStop) with some fields changed."""
    return {**load(f"ws_event_{name}.json"), **changes}


def rest_record(**changes) -> dict:
    """The call record of the list-of-calls-for-period sample, with some fields changed."""
    body = load("rest_stats_list_of_calls_for_period.response.CONSTRUCTED.json")
    (record,) = body["callDetails"].values()
    return {**record, **changes}
