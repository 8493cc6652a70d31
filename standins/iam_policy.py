"""The IAM policies the synthesized stack gives each function's role, resolved onto the local resources and
evaluated as IAM evaluates identity policies, so that a request a function makes is refused here when AWS would
refuse it (moto checks no IAM; its IAM mode ignores DynamoDB's resources).

* **Roles.** A function (a folder under ``functions/``) is the ``AWS::Lambda::Function`` whose handler is
  ``<folder>.handler.lambda_handler``; its role is the one its ``Role`` names; its policies are every
  ``AWS::IAM::Policy`` and ``AWS::IAM::ManagedPolicy`` attached to that role and the role's inline ``Policies``.
  AWS-managed policy ARNs add nothing (their documents are not in the template): fewer grants, never more.
* **Local resources** (``LocalResources``, the one place they are mapped): the template's logical IDs and names
  become what the stand-ins created, read from the functions' environment (``TABLE_NAME``, the secrets' names,
  ``SCHEDULER_ROLE_ARN``...). A logical ID with no local counterpart resolves to a placeholder no request matches.
* **Evaluation**: an explicit ``Deny`` wins, then any ``Allow``, else the implicit deny. ``Action``/``NotAction``,
  ``Resource``/``NotResource`` with ``*`` and ``?`` (actions case-insensitively), and the condition operators in
  ``OPERATORS`` (with ``...IfExists``); any other operator or set operator (``ForAnyValue:``) refuses, so a policy
  this module does not understand can never allow by accident.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

Context = Mapping[str, str | bool]
"""Condition keys of a request (``ses:FromAddress``, ``iam:PassedToService``) and their values."""

RESOURCE_VARIABLES = (
    "TABLE_NAME",
    "SCHEDULE_GROUP_NAME",
    "EXECUTE_FUNCTION_ARN",
    "SCHEDULER_ROLE_ARN",
    "SCHEDULER_DLQ_ARN",
    "RETELL_SECRET_NAME",
    "PAGE_TOKEN_SECRET_NAME",
    "NOTIFICATION_SENDER",
    "EXECUTE_FAILURES_QUEUE_ARN",
)
"""The environment variables that name the stack's resources: the functions find their resources through them, so
the same variables tie the template's resources to the local ones."""

QUEUES_BY_CONSTRUCT = {"ExecuteFailures": "EXECUTE_FAILURES_QUEUE_ARN"}
"""Queues no function's environment names (execute's on-failure destination, which Lambda writes and the reconciler
reads), tied to the local queue by their construct id, the start of their logical ID."""

RENAMED_VARIABLES = ("SCHEDULE_GROUP_NAME", "EXECUTE_FUNCTION_ARN", "NOTIFICATION_SENDER")
"""Variables whose template value is a literal (a generated name, an ARN built from a fixed name, an address) that
the policies repeat inside strings; locally that literal is renamed wherever it stands as a whole ARN segment."""


class PolicyError(Exception):
    """The template holds something this module cannot resolve or evaluate (it refuses rather than guesses)."""


# -- matching ------------------------------------------------------------------------------------------------------


@cache
def _pattern(text: str, ignore_case: bool) -> re.Pattern[str]:
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in text)
    return re.compile(f"^{body}$", re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def wildcard_match(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """IAM's ``*`` (any run of characters) and ``?`` (one character)."""
    return _pattern(pattern, ignore_case).match(value) is not None


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _string_test(kind: str) -> Callable[[str, str], bool]:
    tests: dict[str, Callable[[str, str], bool]] = {
        "StringEquals": lambda policy, actual: policy == actual,
        "StringEqualsIgnoreCase": lambda policy, actual: policy.lower() == actual.lower(),
        "StringLike": lambda policy, actual: wildcard_match(policy, actual),
        "ArnEquals": lambda policy, actual: policy == actual,
        "ArnLike": lambda policy, actual: wildcard_match(policy, actual),
        "Bool": lambda policy, actual: policy.lower() == actual.lower(),
    }
    return tests[kind]


POSITIVE = ("StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike", "Bool")
NEGATED = {"StringNotEquals": "StringEquals", "StringNotLike": "StringLike", "ArnNotEquals": "ArnEquals",
           "ArnNotLike": "ArnLike", "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase"}  # fmt: skip
OPERATORS = frozenset({*POSITIVE, *NEGATED, "Null"})


def condition_holds(operator: str, key: str, values: list[str], context: Context) -> bool:
    """One condition key under one operator, as IAM evaluates it: any of the policy's values matches (negated
    operators: none does); a key missing from the request matches no positive operator and every negated one,
    and ``...IfExists`` matches when it is missing. An operator not in ``OPERATORS`` raises ``PolicyError``."""
    if_exists = operator.endswith("IfExists")
    base = operator.removesuffix("IfExists")
    if ":" in base or base not in OPERATORS:
        raise PolicyError(f"condition operator {operator} is not understood here")
    present = key in context
    if base == "Null":
        return any((value.lower() == "true") != present for value in values)
    if not present:
        return if_exists or base in NEGATED
    actual = context[key]
    actual_text = str(actual).lower() if isinstance(actual, bool) else str(actual)
    test = _string_test(NEGATED.get(base, base))
    matched = any(test(str(value), actual_text) for value in values)
    return not matched if base in NEGATED else matched


# -- statements and policies -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grant:
    """One action pattern on one resource pattern of an ``Allow`` statement, as the template writes them (for the
    least-privilege report: which grants no request used)."""

    action: str
    resource: str


@dataclass(frozen=True)
class Statement:
    effect: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    not_action: bool = False
    not_resource: bool = False
    conditions: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
    shown_resources: tuple[str, ...] = ()
    """The resources as the template writes them (logical IDs), parallel to ``resources``."""

    def action_matches(self, action: str) -> bool:
        hit = any(wildcard_match(pattern, action, ignore_case=True) for pattern in self.actions)
        return hit != self.not_action

    def resource_matches(self, resource: str) -> bool:
        hit = any(wildcard_match(pattern, resource) for pattern in self.resources)
        return hit != self.not_resource

    def conditions_hold(self, context: Context) -> bool:
        return all(condition_holds(op, key, list(values), context) for op, key, values in self.conditions)

    def applies(self, action: str, resource: str, context: Context) -> bool:
        return self.action_matches(action) and self.resource_matches(resource) and self.conditions_hold(context)

    def grants_used(self, action: str, resource: str) -> list[Grant]:
        if self.not_action or self.not_resource:
            return [Grant("NotAction" if self.not_action else "*", "NotResource" if self.not_resource else "*")]
        actions = [a for a in self.actions if wildcard_match(a, action, ignore_case=True)]
        shown = [s for r, s in zip(self.resources, self.shown_resources, strict=True) if wildcard_match(r, resource)]
        return [Grant(a, s) for a in actions for s in shown]

    def grants(self) -> list[Grant]:
        if self.not_action or self.not_resource:
            return [Grant("NotAction" if self.not_action else "*", "NotResource" if self.not_resource else "*")]
        return [Grant(a, s) for a in self.actions for s in self.shown_resources]


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str
    grants: tuple[Grant, ...] = ()


@dataclass(frozen=True)
class RolePolicy:
    """Every statement that applies to one role."""

    role: str
    statements: tuple[Statement, ...]

    def evaluate(self, action: str, resource: str, context: Context | None = None) -> Decision:
        context = context or {}
        allows: list[Statement] = []
        for statement in self.statements:
            try:
                applies = statement.applies(action, resource, context)
            except PolicyError as error:  # a condition not understood here refuses, whatever its effect
                return Decision(False, str(error))
            if applies:
                if statement.effect == "Deny":
                    return Decision(False, "an explicit Deny")
                allows.append(statement)
        if not allows:
            return Decision(False, "no statement allows it")
        return Decision(True, "allowed", tuple(g for s in allows for g in s.grants_used(action, resource)))

    def grants(self) -> list[Grant]:
        return [g for s in self.statements if s.effect == "Allow" for g in s.grants()]


# -- the template, resolved onto the local resources -----------------------------------------------------------------


@dataclass(frozen=True)
class LocalResources:
    """What the template's resources are here: the region and account the stand-ins use, and the values of
    ``RESOURCE_VARIABLES`` the functions run with."""

    region: str
    account: str
    variables: tuple[tuple[str, str], ...]

    @staticmethod
    def of(environment: Mapping[str, str], region: str, account: str) -> LocalResources:
        values = tuple((name, environment[name]) for name in RESOURCE_VARIABLES if environment.get(name))
        return LocalResources(region, account, values)

    def value(self, name: str) -> str | None:
        return dict(self.variables).get(name)

    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{resource}"

    def table_arn(self, table: str) -> str:
        return self.arn("dynamodb", f"table/{table}")

    def secret_arn(self, secret: str) -> str:
        """A secret's ARN: as given, or, for a name, the name with Secrets Manager's six random characters (any
        six: moto's are random, as AWS's are)."""
        return secret if secret.startswith("arn:") else self.arn("secretsmanager", f"secret:{secret}-??????")


@dataclass
class _Resolver:
    template: dict[str, Any]
    local: LocalResources
    refs: dict[tuple[str, str], str] = field(default_factory=dict)
    renames: list[tuple[re.Pattern[str], str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        resources = self.template["Resources"]
        environments = [
            r["Properties"].get("Environment", {}).get("Variables", {})
            for r in resources.values()
            if r["Type"] == "AWS::Lambda::Function"
        ]
        # The variables that are a Ref or GetAtt tie a logical ID to the local value.
        for variables in environments:
            for name in RESOURCE_VARIABLES:
                local = self.local.value(name)
                value = variables.get(name)
                if local is None or not isinstance(value, dict):
                    continue
                if "Ref" in value:
                    logical = value["Ref"]
                    kind = resources.get(logical, {}).get("Type")
                    self.refs[(logical, "Ref")] = (
                        self.local.secret_arn(local) if kind == "AWS::SecretsManager::Secret" else local
                    )
                elif "Fn::GetAtt" in value:
                    logical, attribute = value["Fn::GetAtt"]
                    self.refs[(logical, attribute)] = local
        for logical, resource in resources.items():
            if resource["Type"] == "AWS::DynamoDB::Table" and (logical, "Ref") in self.refs:
                arn = self.local.table_arn(self.refs[(logical, "Ref")])
                self.refs[(logical, "Arn")] = arn
                # The stream's label is the time moto made it; the table has one latest stream.
                self.refs[(logical, "StreamArn")] = f"{arn}/stream/*"
        for logical, resource in resources.items():
            for construct, name in QUEUES_BY_CONSTRUCT.items():
                local = self.local.value(name)
                if local and resource["Type"] == "AWS::SQS::Queue" and logical.startswith(construct):
                    self.refs.setdefault((logical, "Arn"), local)
        # Literal names the policies repeat (the schedule group, the execute function's ARN, the sender).
        for variables in environments:
            for name in RENAMED_VARIABLES:
                local = self.local.value(name)
                if local is None or name not in variables:
                    continue
                literal = self.resolve(variables[name], rename=False)
                if isinstance(literal, str) and literal and literal != local:
                    boundary = re.compile(rf"(?<![^:/]){re.escape(literal)}(?![^:/])")
                    if all(p.pattern != boundary.pattern for p, _ in self.renames):
                        self.renames.append((boundary, local))

    def ref(self, logical: str, attribute: str) -> str:
        pseudo = {
            "AWS::Partition": "aws",
            "AWS::Region": self.local.region,
            "AWS::AccountId": self.local.account,
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": "local",
        }
        if attribute == "Ref" and logical in pseudo:
            return pseudo[logical]
        if logical.startswith("AWS::"):
            raise PolicyError(f"pseudo parameter {logical} is not resolved here")
        if logical not in self.template["Resources"]:
            raise PolicyError(f"{logical} is no resource of the template")
        # No local counterpart: a value no request's resource can match.
        return self.refs.get((logical, attribute), f"unmapped:{logical}.{attribute}")

    def resolve(self, value: Any, *, rename: bool = True) -> Any:
        if isinstance(value, str):
            return self._rename(value) if rename else value
        if isinstance(value, list):
            return [self.resolve(item, rename=rename) for item in value]
        if isinstance(value, dict) and len(value) == 1:
            ((function, argument),) = value.items()
            if function == "Ref":
                return self.ref(argument, "Ref")
            if function == "Fn::GetAtt":
                logical, attribute = argument if isinstance(argument, list) else argument.split(".", 1)
                return self.ref(logical, attribute)
            if function == "Fn::Join":
                separator, parts = argument
                joined = separator.join(str(self.resolve(p, rename=False)) for p in parts)
                return self._rename(joined) if rename else joined
            if function == "Fn::Sub":
                text, names = (argument, {}) if isinstance(argument, str) else argument
                substituted = self._sub(text, names)
                return self._rename(substituted) if rename else substituted
        raise PolicyError(f"cannot resolve {value!r}")

    def _sub(self, text: str, names: dict[str, Any]) -> str:
        def one(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in names:
                return str(self.resolve(names[name], rename=False))
            if "." in name and not name.startswith("AWS::"):
                logical, attribute = name.split(".", 1)
                return self.ref(logical, attribute)
            return self.ref(name, "Ref")

        return re.sub(r"\$\{([^}!]+)\}", one, text)

    def _rename(self, text: str) -> str:
        for pattern, local in self.renames:
            text = pattern.sub(local, text)
        return text


def _shown(value: Any) -> str:
    """A template value written for people: ``${CallsTable.Arn}/index/gsi1``."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        ((function, argument),) = value.items()
        if function == "Ref":
            return "${" + str(argument) + "}"
        if function == "Fn::GetAtt":
            parts = argument if isinstance(argument, list) else str(argument).split(".", 1)
            return "${" + ".".join(parts) + "}"
        if function == "Fn::Join":
            return str(argument[0]).join(_shown(p) for p in argument[1])
        if function == "Fn::Sub":
            return argument if isinstance(argument, str) else str(argument[0])
    return repr(value)


def function_roles(template: dict[str, Any]) -> dict[str, str]:
    """Each function's folder -> its role's logical ID."""
    roles: dict[str, str] = {}
    for resource in template["Resources"].values():
        if resource["Type"] != "AWS::Lambda::Function":
            continue
        handler = str(resource["Properties"].get("Handler", ""))
        if not handler.endswith(".handler.lambda_handler"):
            continue  # not one of ours (CDK's deploy-time helpers)
        role = resource["Properties"]["Role"]
        if not (isinstance(role, dict) and "Fn::GetAtt" in role):
            raise PolicyError(f"the {handler} function's role is not a role of this template: {role!r}")
        roles[handler.split(".", 1)[0]] = role["Fn::GetAtt"][0]
    return roles


def _documents(template: dict[str, Any], role: str) -> Iterable[dict[str, Any]]:
    resources = template["Resources"]
    attached = {"Ref": role}
    for resource in resources.values():
        props = resource.get("Properties", {})
        if resource["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy") and attached in props.get("Roles", []):
            yield props["PolicyDocument"]
    role_props = resources[role].get("Properties", {})
    for inline in role_props.get("Policies", []):
        yield inline["PolicyDocument"]
    for managed in role_props.get("ManagedPolicyArns", []):
        if isinstance(managed, dict) and "Ref" in managed and managed["Ref"] in resources:
            yield resources[managed["Ref"]]["Properties"]["PolicyDocument"]
        # An AWS-managed policy's document is not in the template: it adds nothing here.


def _statement(raw: dict[str, Any], resolver: _Resolver) -> Statement:
    effect = raw["Effect"]
    if effect not in ("Allow", "Deny"):
        raise PolicyError(f"effect {effect!r}")
    if "Principal" in raw or "NotPrincipal" in raw:
        raise PolicyError("a principal in an identity policy")
    not_action = "NotAction" in raw
    not_resource = "NotResource" in raw
    actions = _as_list(raw["NotAction" if not_action else "Action"])
    raw_resources = _as_list(raw["NotResource" if not_resource else "Resource"])
    resources: list[str] = []
    shown: list[str] = []
    for value in raw_resources:
        resolved = resolver.resolve(value)
        for item in _as_list(resolved):
            resources.append(str(item))
            shown.append(_shown(value))
    conditions: list[tuple[str, str, tuple[str, ...]]] = []
    for operator, keys in raw.get("Condition", {}).items():
        for key, values in keys.items():
            resolved_values = tuple(str(v) for v in _as_list(resolver.resolve(values)))
            conditions.append((operator, key, resolved_values))
    return Statement(
        effect=effect,
        actions=tuple(str(a) for a in actions),
        resources=tuple(resources),
        not_action=not_action,
        not_resource=not_resource,
        conditions=tuple(conditions),
        shown_resources=tuple(shown),
    )


def role_policies(template: dict[str, Any], local: LocalResources) -> dict[str, RolePolicy]:
    """Each function's folder -> the statements of its role, resolved onto ``local``."""
    resolver = _Resolver(template, local)
    policies: dict[str, RolePolicy] = {}
    for folder, role in function_roles(template).items():
        statements = [_statement(s, resolver) for doc in _documents(template, role) for s in _as_list(doc["Statement"])]
        policies[folder] = RolePolicy(role, tuple(statements))
    return policies
