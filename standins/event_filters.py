"""Lambda's event filtering where there is no Lambda service: an event source mapping's ``FilterCriteria`` (read
from the synthesized stack, so what is filtered locally is what is deployed) applied to each record before the
function sees it. A record no pattern matches is dropped, as Lambda drops it (and moves past it).

Only the part of the pattern language the stack uses is understood: lists of literal values, nested objects. Any
other operator (``prefix``, ``exists``, numeric ranges...) raises, so a filter the stand-in cannot apply is never
passed over silently."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from standins.stack_template import local_deployment_template, resources_of_type

Pattern = Mapping[str, Any]


def matches(pattern: Pattern, record: Mapping[str, Any]) -> bool:
    """``record`` matches ``pattern`` when every field the pattern names matches."""
    for field, wanted in pattern.items():
        value = record.get(field) if isinstance(record, Mapping) else None
        if isinstance(wanted, Mapping):
            if not isinstance(value, Mapping) or not matches(wanted, value):
                return False
            continue
        if not isinstance(wanted, list) or any(isinstance(option, Mapping) for option in wanted):
            raise NotImplementedError(f"the stand-in does not apply the filter operator in {json.dumps(wanted)}")
        if value not in wanted:
            return False
    return True


def passes(patterns: Sequence[Pattern], record: Mapping[str, Any]) -> bool:
    """No patterns: every record; else a record at least one pattern matches."""
    return not patterns or any(matches(pattern, record) for pattern in patterns)


def stream_filters(function_logical_prefix: str, template: Mapping[str, Any] | None = None) -> list[Pattern]:
    """The filter patterns of the stream event source of the function whose logical id starts with
    ``function_logical_prefix`` (e.g. ``NoticesFunction``)."""
    resources = template or local_deployment_template()
    mappings = resources_of_type(dict(resources), "AWS::Lambda::EventSourceMapping")
    for mapping in mappings.values():
        properties = mapping["Properties"]
        target = json.dumps(properties.get("FunctionName"))
        if function_logical_prefix in target and "EventSourceArn" in properties:
            filters = properties.get("FilterCriteria", {}).get("Filters", [])
            return [json.loads(entry["Pattern"]) for entry in filters]
    raise LookupError(f"no event source mapping for {function_logical_prefix} in the stack")


def notices_stream_filters() -> list[Pattern]:
    """What the deployed stack lets through to the notices function from the table's stream."""
    return stream_filters("NoticesFunction")
