#!/usr/bin/env python3
"""CDK entry point: ``cdk synth`` / ``cdk deploy`` (see the README's deploy section)."""

from __future__ import annotations

import os

import aws_cdk as cdk

from infra.stack import DischargeCallStack

STACK_NAME = "DischargeCallScheduler"


def build_app(context: dict[str, object] | None = None) -> cdk.App:
    app = cdk.App(context=context, outdir=os.environ.get("CDK_OUTDIR"))
    DischargeCallStack(
        app,
        STACK_NAME,
        env=cdk.Environment(account=os.environ.get("CDK_DEFAULT_ACCOUNT"), region=os.environ.get("CDK_DEFAULT_REGION")),
    )
    return app


if __name__ == "__main__":
    build_app().synth()
