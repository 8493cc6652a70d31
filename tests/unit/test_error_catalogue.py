"""The error catalogue is complete and unambiguous: one module holds every error class, each code names one class,
and every kind maps to one HTTP status."""

from __future__ import annotations

import importlib
import pkgutil
import re

import shared
from shared.api.refusals import STATUS_BY_KIND
from shared.models import errors
from shared.models.errors import DomainError, ErrorKind, catalogue, error_classes


def _all_subclasses() -> list[type[DomainError]]:
    for module in pkgutil.walk_packages(shared.__path__, "shared."):
        importlib.import_module(module.name)  # every module, so a stray subclass anywhere is defined
    return error_classes()


def test_every_error_class_lives_in_the_catalogue_module() -> None:
    strays = [f"{cls.__module__}.{cls.__name__}" for cls in _all_subclasses() if cls.__module__ != errors.__name__]
    assert strays == []


def test_each_code_names_exactly_one_class_and_is_snake_case() -> None:
    classes = _all_subclasses()
    codes = [cls.code for cls in classes]
    assert sorted(codes) == sorted(set(codes)), "a code is shared by two classes"
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)*", code) for code in codes)
    assert set(catalogue()) == set(codes)


def test_every_kind_has_one_http_status() -> None:
    assert set(STATUS_BY_KIND) == set(ErrorKind)
    assert all(400 <= status < 600 for status in STATUS_BY_KIND.values())


def test_the_javascript_knows_exactly_the_catalogue_codes() -> None:
    from pathlib import Path

    from scripts.error_codes import error_codes_module

    committed = Path(__file__).resolve().parents[2] / "extension" / "lib" / "error-codes.js"
    assert committed.read_text() == error_codes_module(), "extension/lib/error-codes.js is stale: make error-codes"
