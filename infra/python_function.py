"""A Python Lambda function as this project deploys them: one architecture, the runtime the layers are built for,
an explicit log group with retention, JSON logs, X-Ray tracing, Powertools settings, its own role."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.assets import FUNCTIONS, placeholder_layer
from shared.telemetry import METRICS_NAMESPACE, SERVICE_NAME

RUNTIME = lambda_.Runtime.PYTHON_3_13
ARCHITECTURE = lambda_.Architecture.ARM_64
FUNCTION_FOLDERS = ("api", "execute", "retell_webhook", "reconcile", "notices")


class PythonFunction(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        folder: str,
        description: str,
        layers: Sequence[lambda_.ILayerVersion],
        environment: dict[str, str],
        timeout: Duration,
        log_retention: logs.RetentionDays,
        memory_mb: int = 512,
        function_name: str | None = None,
        **options: object,
    ) -> None:
        super().__init__(scope, construct_id)
        self.log_group = logs.LogGroup(self, "Logs", retention=log_retention, removal_policy=RemovalPolicy.DESTROY)
        # Its own role, writing only to its own log group (not the managed basic-execution policy's logs:* on *).
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"The {folder} function",
        )
        self.log_group.grant_write(self.role)
        others = [name for name in FUNCTION_FOLDERS if name != folder]
        self.function = lambda_.Function(
            self,
            "Function",
            function_name=function_name,
            role=self.role,
            description=description,
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler=f"{folder}.handler.lambda_handler",
            code=lambda_.Code.from_asset(str(FUNCTIONS), exclude=[*others, "**/__pycache__", "**/*.pyc"]),
            layers=list(layers),
            memory_size=memory_mb,
            timeout=timeout,
            tracing=lambda_.Tracing.ACTIVE,
            logging_format=lambda_.LoggingFormat.JSON,
            log_group=self.log_group,
            environment={
                "POWERTOOLS_SERVICE_NAME": SERVICE_NAME,
                "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
                "POWERTOOLS_LOG_LEVEL": "INFO",
                **environment,
            },
            **options,  # type: ignore[arg-type]
        )


def python_layer(
    scope: Construct, construct_id: str, build: Callable[[], Path] | None, description: str
) -> lambda_.LayerVersion:
    """A layer for this runtime and architecture; ``build`` makes its folder (``None``: bundling is skipped, as
    in tests, and an empty placeholder stands in)."""
    folder = build() if build is not None else placeholder_layer(construct_id)
    return lambda_.LayerVersion(
        scope,
        construct_id,
        code=lambda_.Code.from_asset(str(folder)),
        compatible_runtimes=[RUNTIME],
        compatible_architectures=[ARCHITECTURE],
        description=description,
    )
