"""DynamoDB's request limits, which moto does not enforce, applied to moto's DynamoDB requests.

Code that passes against moto must not be refused by DynamoDB: an expression that grows with data (one clause a
dialing lease) works in moto until its parser gives up with a ``RecursionError`` (a 500), and DynamoDB refuses it
far sooner. Each request is checked before moto parses it (``DynamoHandler``'s actions, the layer both in-process
tests and ``make dev``'s moto server go through), with the limits of DynamoDB's developer guide (Service quotas:
"Expression parameters"), answered with a ``ValidationException`` worded as DynamoDB's:

* an expression (``UpdateExpression``, ``ConditionExpression``, ``KeyConditionExpression``, ``FilterExpression``,
  ``ProjectionExpression``) longer than 4 KB (UTF-8 bytes);
* more than 300 operators or functions in one expression: comparators (``=`` ``<>`` ``<`` ``<=`` ``>`` ``>=``; the
  ``=`` of a ``SET`` action is assignment syntax, as DynamoDB's own example counts it), ``AND`` ``OR`` ``NOT``
  ``BETWEEN`` (its ``AND`` is part of it) ``IN``, ``+`` ``-``, and each function call (``attribute_exists(...)``,
  ``size(...)``, ``if_not_exists(...)``, ...);
* more than 100 operands of one ``IN``;
* an expression attribute name or value placeholder (``#name``, ``:value``) longer than 255 bytes, or more than 2 MB
  of substitutions (names and values) in one request.

What moto already refuses as DynamoDB does is left to it (and tested): an item over 400 KB on a put or an update, a
transaction of more than 100 items or with two operations on one item, more than 100 keys in one ``BatchGetItem``.

``BatchGetItem`` leaves keys unprocessed in DynamoDB when a request is throttled or its answer would pass 16 MB;
moto only does the latter. ``unprocess_batch_gets(n)`` (or ``MOTO_BATCH_GET_MAX_KEYS`` in moto's process) makes
every ``BatchGetItem`` answer at most ``n`` keys and hand the rest back as ``UnprocessedKeys``, so the code's retry
is exercised.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Callable, Iterator
from typing import Any

MAX_EXPRESSION_BYTES = 4096
MAX_OPERATORS = 300
MAX_IN_OPERANDS = 100
MAX_PLACEHOLDER_BYTES = 255
MAX_SUBSTITUTION_BYTES = 2 * 1024 * 1024
EXPRESSIONS = {
    "UpdateExpression": "Update",
    "ConditionExpression": "Condition",
    "KeyConditionExpression": "KeyCondition",
    "FilterExpression": "Filter",
    "ProjectionExpression": "Projection",
}
FUNCTIONS = frozenset(
    {
        "attribute_exists",
        "attribute_not_exists",
        "attribute_type",
        "begins_with",
        "contains",
        "size",
        "if_not_exists",
        "list_append",
    }
)
_COMPARATORS = frozenset({"=", "<>", "<", "<=", ">", ">="})
_ASSIGNMENT = "="
_ARITHMETIC = frozenset({"+", "-"})
_KEYWORDS = frozenset({"AND", "OR", "NOT", "IN", "BETWEEN"})
_TOKENS = re.compile(r"<>|<=|>=|[=<>+\-(),]|[#:]?\w+")
_CHECKED_ACTIONS = (
    "get_item",
    "put_item",
    "update_item",
    "delete_item",
    "query",
    "scan",
    "batch_get_item",
    "transact_write_items",
    "transact_get_items",
)
_BATCH_GET_MAX_KEYS: list[int | None] = [None]


def unprocess_batch_gets(max_keys: int | None) -> None:
    """Every ``BatchGetItem`` answers at most ``max_keys`` keys (``None``: all, as moto does) and hands the rest
    back as ``UnprocessedKeys``, as a throttled DynamoDB does."""
    _BATCH_GET_MAX_KEYS[0] = max_keys


def enforce_dynamodb_limits() -> None:
    """Idempotent: checks each item action of moto's ``DynamoHandler`` against the limits above."""
    from moto.dynamodb.responses import DynamoHandler

    for name in _CHECKED_ACTIONS:
        action = getattr(DynamoHandler, name)
        if getattr(action, "_limited", False):
            continue
        if name == "batch_get_item":
            action = _leaving_keys_unprocessed(action)
        setattr(DynamoHandler, name, _limited(action))
    configured = os.environ.get("MOTO_BATCH_GET_MAX_KEYS")
    if configured:
        unprocess_batch_gets(int(configured))


def _limited(action: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(action)
    def wrapper(handler: Any, *args: Any, **kwargs: Any) -> Any:
        for request in _requests(handler.body):
            check_request(request)
        return action(handler, *args, **kwargs)

    wrapper._limited = True  # type: ignore[attr-defined]
    return wrapper


def _requests(body: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The parts of a request that carry their own expressions: the request, each operation of a transaction,
    each table of a batch read."""
    if "TransactItems" in body:
        for entry in body["TransactItems"]:
            yield from (operation for operation in entry.values() if isinstance(operation, dict))
    elif "RequestItems" in body:
        yield from (request for request in body["RequestItems"].values() if isinstance(request, dict))
    else:
        yield body


def check_request(request: dict[str, Any]) -> None:
    """Raise moto's ``ValidationException`` if one of the request's expressions or placeholders is over a limit."""
    from moto.dynamodb.exceptions import MockValidationException

    problem = request_problem(request)
    if problem is not None:
        raise MockValidationException(problem)


def request_problem(request: dict[str, Any]) -> str | None:
    """DynamoDB's refusal of the request's expressions and placeholders, or ``None`` if they are within limits."""
    for field, kind in EXPRESSIONS.items():
        expression = request.get(field)
        if isinstance(expression, str):
            problem = expression_problem(kind, expression)
            if problem is not None:
                return problem
    names: dict[str, Any] = request.get("ExpressionAttributeNames") or {}
    values: dict[str, Any] = request.get("ExpressionAttributeValues") or {}
    for group, placeholders in (("ExpressionAttributeNames", names), ("ExpressionAttributeValues", values)):
        for placeholder in placeholders:
            if len(placeholder.encode()) > MAX_PLACEHOLDER_BYTES:
                return (
                    f"{group} contains invalid key: the key exceeds the maximum length of {MAX_PLACEHOLDER_BYTES} "
                    f"bytes; key: {placeholder[:40]}..."
                )
    substituted = sum(len(k.encode()) + len(str(v).encode()) for k, v in names.items()) + sum(
        len(k.encode()) + len(json.dumps(v, default=str).encode()) for k, v in values.items()
    )
    if substituted > MAX_SUBSTITUTION_BYTES:
        return f"Expression attribute names and values exceed the maximum allowed size of 2 MB; size: {substituted}"
    return None


def expression_problem(kind: str, expression: str) -> str | None:
    """DynamoDB's refusal of one expression (``kind``: ``Update``, ``Condition``, ...), or ``None``."""
    size = len(expression.encode())
    if size > MAX_EXPRESSION_BYTES:
        return (
            f"Invalid {kind}Expression: Expression size has exceeded the maximum allowed size; expression size: {size}"
        )
    tokens = tokens_of(expression)
    operators = count_operators(tokens, update=kind == "Update")
    if operators > MAX_OPERATORS:
        return (
            f"Invalid {kind}Expression: The expression contains too many operators; "
            f"the maximum is {MAX_OPERATORS}; operator count: {operators}"
        )
    operands = most_in_operands(tokens)
    if operands > MAX_IN_OPERANDS:
        return (
            f"Invalid {kind}Expression: The IN operator is provided with too many operands; "
            f"number of operands: {operands}"
        )
    return None


def tokens_of(expression: str) -> list[str]:
    """An expression's tokens: comparators, arithmetic, parentheses, commas, placeholders, names and keywords."""
    return list(_TOKENS.findall(expression))


def count_operators(tokens: list[str], *, update: bool) -> int:
    """The operators and functions among an expression's tokens, as DynamoDB counts them against its 300."""
    count = 0
    between_and = 0  # an AND that belongs to a BETWEEN is not an operator of its own
    for index, token in enumerate(tokens):
        upper = token.upper()
        following = tokens[index + 1] if index + 1 < len(tokens) else ""
        if token in _COMPARATORS:
            count += 0 if update and token == _ASSIGNMENT else 1
        elif token in _ARITHMETIC or (token.lower() in FUNCTIONS and following == "("):
            count += 1
        elif not update and upper in _KEYWORDS:
            if upper == "BETWEEN":
                between_and += 1
            elif upper == "AND" and between_and:
                between_and -= 1
                continue
            count += 1
    return count


def most_in_operands(tokens: list[str]) -> int:
    """The largest number of operands any ``IN (...)`` of the expression has."""
    most = 0
    for index, token in enumerate(tokens):
        if token.upper() != "IN" or index + 1 >= len(tokens) or tokens[index + 1] != "(":
            continue
        depth, operands, seen = 0, 0, False
        for inner in tokens[index + 1 :]:
            if inner == "(":
                depth += 1
            elif inner == ")":
                depth -= 1
                if depth == 0:
                    break
            elif inner == "," and depth == 1:
                operands += 1
            else:
                seen = True
        most = max(most, operands + (1 if seen else 0))
    return most


# -- BatchGetItem: unprocessed keys on demand ----------------------------------------------------------------------


def _leaving_keys_unprocessed(batch_get: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(batch_get)
    def wrapper(handler: Any, *args: Any, **kwargs: Any) -> Any:
        most = _BATCH_GET_MAX_KEYS[0]
        if most is None:
            return batch_get(handler, *args, **kwargs)
        left: dict[str, dict[str, Any]] = {}
        budget = most
        for table, request in handler.body["RequestItems"].items():
            keys = list(request["Keys"])
            request["Keys"], rest = keys[:budget], keys[budget:]
            budget -= len(request["Keys"])
            if rest:
                left[table] = {**{k: v for k, v in request.items() if k != "Keys"}, "Keys": rest}
        handler.body["RequestItems"] = {table: r for table, r in handler.body["RequestItems"].items() if r["Keys"]}
        answer = batch_get(handler, *args, **kwargs)
        answer.result.setdefault("UnprocessedKeys", {}).update(left)
        return answer

    return wrapper
