"""The HTTP API, its Cognito user pool and the JWT authorizer, routes from ``infra/routes.py``."""

from __future__ import annotations

from typing import cast

import jsii
from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_authorizers as authorizers
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.deployment import Deployment
from infra.routes import EXPOSED_HEADERS, RETELL_WEBHOOK, ROUTES, Route

ADMIN_GROUP = "admin"
CLINIC_ATTRIBUTE = "clinic_id"  # the token carries it as custom:clinic_id


@jsii.implements(apigwv2.IAccessLogSettings)
class _AccessLogs:
    def __init__(self, destination: apigwv2.IAccessLogDestination, log_format: apigw.AccessLogFormat) -> None:
        self._destination = destination
        self._format = log_format

    @property
    def destination(self) -> apigwv2.IAccessLogDestination:
        return self._destination

    @property
    def format(self) -> apigw.AccessLogFormat:
        return self._format


class Users(Construct):
    """Clinic staff: a user pool whose tokens carry the clinic (``custom:clinic_id``) and the ``admin`` group."""

    def __init__(
        self, scope: Construct, construct_id: str, *, callback_origins: list[str], threat_protection: bool = True
    ) -> None:
        super().__init__(scope, construct_id)
        self.threat_protection = threat_protection
        # Threat protection (compromised credentials, risky sign-ins blocked) needs the Plus plan, billed per monthly
        # active user: a deployment may turn it off (threatProtection in infra/deployment.py).
        self.pool = cognito.UserPool(
            self,
            "Pool",
            self_sign_up_enabled=False,  # clinic admins are invited; staff never create their own accounts
            sign_in_aliases=cognito.SignInAliases(email=True, username=True),
            custom_attributes={CLINIC_ATTRIBUTE: cognito.StringAttribute(min_len=1, max_len=128, mutable=False)},
            password_policy=cognito.PasswordPolicy(
                min_length=12,
                require_digits=True,
                require_lowercase=True,
                require_uppercase=True,
                require_symbols=True,
                temp_password_validity=Duration.days(3),
            ),
            # Every user proves a second factor: front-desk machines are shared, so a password alone is not enough.
            # An authenticator app only (no SMS: phone numbers can be taken over).
            mfa=cognito.Mfa.REQUIRED,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            removal_policy=RemovalPolicy.RETAIN,
            feature_plan=cognito.FeaturePlan.PLUS if threat_protection else cognito.FeaturePlan.ESSENTIALS,
            standard_threat_protection_mode=(
                cognito.StandardThreatProtectionMode.FULL_FUNCTION if threat_protection else None
            ),
        )
        cognito.CfnUserPoolGroup(
            self,
            "AdminGroup",
            user_pool_id=self.pool.user_pool_id,
            group_name=ADMIN_GROUP,
            description="Clinic admins: may schedule, change, cancel and call now",
        )
        # Only admins may write the clinic attribute; nobody can move themselves into another clinic.
        read = cognito.ClientAttributes().with_standard_attributes(email=True).with_custom_attributes(CLINIC_ATTRIBUTE)
        write = cognito.ClientAttributes().with_standard_attributes(email=True)
        self.client = self.pool.add_client(
            "ExtensionAndDashboard",
            # SRP only: the password never travels, not even inside TLS (refresh is always allowed).
            auth_flows=cognito.AuthFlow(user_srp=True),
            generate_secret=False,  # a browser extension cannot keep a secret
            id_token_validity=Duration.hours(1),
            access_token_validity=Duration.hours(1),
            # A day: a front-desk machine left signed in asks for the password and code again the next morning.
            refresh_token_validity=Duration.days(1),
            prevent_user_existence_errors=True,
            read_attributes=read,
            write_attributes=write,
            o_auth=cognito.OAuthSettings(
                flows=cognito.OAuthFlows(authorization_code_grant=True),
                callback_urls=[f"{origin}/" for origin in callback_origins] or ["https://localhost/"],
            ),
        )


class CallsApi(Construct):
    """The HTTP API: every route of ``infra/routes.py`` on its function, the Cognito JWT authorizer on each private
    route, CORS for the configured origins, and a throttled ``$default`` stage with access logs."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        functions: dict[str, lambda_.IFunction],
        users: Users,
        deployment: Deployment,
        log_retention: logs.RetentionDays,
        extra_origins: list[str] | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        region = Stack.of(self).region
        self.authorizer = authorizers.HttpJwtAuthorizer(
            "CognitoJwt",
            f"https://cognito-idp.{region}.amazonaws.com/{users.pool.user_pool_id}",
            jwt_audience=[users.client.user_pool_client_id],
            identity_source=["$request.header.Authorization"],
        )
        cors = None
        allowed_origins = [*deployment.allowed_origins, *(extra_origins or [])]  # extra: the stack's dashboard
        if allowed_origins:
            cors = apigwv2.CorsPreflightOptions(
                allow_origins=allowed_origins,
                allow_methods=[apigwv2.CorsHttpMethod.ANY],
                allow_headers=["authorization", "content-type", "idempotency-key", "if-match"],
                expose_headers=list(EXPOSED_HEADERS),
                max_age=Duration.hours(1),
            )
        self.http_api = apigwv2.HttpApi(
            self, "Api", description="Discharge follow-up calls", cors_preflight=cors, create_default_stage=False
        )
        self.access_logs = logs.LogGroup(
            self, "AccessLogs", retention=log_retention, removal_policy=RemovalPolicy.DESTROY
        )
        self.stage = apigwv2.HttpStage(
            self,
            "DefaultStage",
            http_api=self.http_api,
            stage_name="$default",
            auto_deploy=True,
            throttle=apigwv2.ThrottleSettings(
                rate_limit=deployment.api_rate_limit, burst_limit=deployment.api_burst_limit
            ),
            access_log_settings=_AccessLogs(
                apigwv2.LogGroupLogDestination(self.access_logs),
                apigw.AccessLogFormat.json_with_standard_fields(
                    caller=False,
                    http_method=True,
                    ip=True,
                    protocol=True,
                    request_time=True,
                    resource_path=True,
                    response_length=True,
                    status=True,
                    user=False,
                ),
            ),
        )
        # Each public route has its own bucket, so a flood of /health or forged webhooks throttles that route alone,
        # never the clinics' routes (the stage's default, per route) nor Retell's events.
        cast(apigwv2.CfnStage, self.stage.node.default_child).route_settings = {
            route_key(route): {"ThrottlingRateLimit": rate, "ThrottlingBurstLimit": burst}
            for route, (rate, burst) in public_route_limits(deployment).items()
        }
        integrations_by_function = {
            name: integrations.HttpLambdaIntegration(f"{name}-integration", function)
            for name, function in functions.items()
        }
        for route in ROUTES:
            added = self.http_api.add_routes(
                path=route.path,
                methods=[apigwv2.HttpMethod(route.method)],
                integration=integrations_by_function[route.function],
                authorizer=None if route.public else self.authorizer,
            )
            if route.public:  # CloudFormation refuses a stage's settings for a route it has not made yet
                self.stage.node.add_dependency(*added)

    @property
    def url(self) -> str:
        return self.stage.url


HEALTH_LIMITS = (5, 10)
"""``/health``: a monitor's probe every few seconds, never more."""


def public_route_limits(deployment: Deployment) -> dict[Route, tuple[int, int]]:
    """Each public route's own throttle: requests/s steady, and burst."""
    webhook = (deployment.webhook_rate_limit, 2 * deployment.webhook_rate_limit)
    return {route: webhook if route.function == RETELL_WEBHOOK else HEALTH_LIMITS for route in ROUTES if route.public}


def route_key(route: Route) -> str:
    return f"{route.method} {route.path}"
