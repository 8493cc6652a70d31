"""The clinic dashboard, hosted privately: a private S3 bucket (all public access blocked, TLS only) read by
CloudFront through origin access control, HTTPS only, with a security-headers policy (a strict
Content-Security-Policy that allows requests to API Gateway and Cognito in the stack's region only, HSTS, no
framing, no sniffing, no referrer). The built files (``web/``, see ``infra/dashboard_site.py``) and a
``config.json`` written from this stack's own values (the API's URL, the user pool's app client and region) are
deployed into the bucket, and the dashboard's origin is added to the API's CORS by the stack. App paths
(``/calls/<id>``) are answered with ``index.html``, so a call's link opens that call.

The header's policy names API Gateway's domain in the region (``https://*.execute-api.<region>.amazonaws.com``),
not this API's own host: the API's CORS names the distribution's domain, so a header naming the API would make the
distribution depend on the API and the API on the distribution, a cycle CloudFormation refuses. The deployed
``index.html`` carries a second policy in a ``<meta>`` tag, written at deploy time, that narrows ``connect-src`` to
this API's own URL; a browser enforces both.
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3_deployment
from constructs import Construct

from infra.dashboard_site import BUILD, built_dashboard, content_security_policy, with_connect_policy


def _placeholder() -> Path:
    """The files' stand-in for synths that skip bundling (tests): the template is the same but for a hash."""
    folder = BUILD / "placeholder-dashboard"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.html").write_text("<!doctype html><title>placeholder</title>\n")
    return folder


class Dashboard(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.bucket = s3.Bucket(
            self,
            "Files",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            removal_policy=RemovalPolicy.DESTROY,  # built files only: every deploy writes them again
        )
        region = Stack.of(self).region
        api_gateway = f"https://*.execute-api.{region}.amazonaws.com"
        cognito = f"https://cognito-idp.{region}.amazonaws.com"
        headers = cloudfront.ResponseHeadersPolicy(
            self,
            "SecurityHeaders",
            comment="Clinic dashboard: strict CSP, HSTS, no framing, no sniffing, no referrer",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=content_security_policy([api_gateway, cognito]), override=True
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.NO_REFERRER, override=True
                ),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.days(730), include_subdomains=True, preload=True, override=True
                ),
            ),
        )
        app_path = [
            cloudfront.ErrorResponse(
                http_status=status, response_http_status=200, response_page_path="/index.html", ttl=Duration.seconds(0)
            )
            for status in (403, 404)  # S3 answers 403 for a key that is not there (the bucket is not listable)
        ]
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="Clinic dashboard",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=headers,
                compress=True,
            ),
            default_root_object="index.html",
            error_responses=app_path,
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
        )

    def serve(self, *, api_endpoint: str, region: str, user_pool_id: str, user_pool_client_id: str) -> None:
        """The files and their config.json, once the API and the user pool they name exist."""
        files = built_dashboard() if Stack.of(self).bundling_required else _placeholder()
        config = {
            "apiBase": api_endpoint,
            "cognito": {"region": region, "userPoolId": user_pool_id, "clientId": user_pool_client_id},
            "idexxBase": "https://us.idexxneo.com",
            "localTokens": False,
        }
        page = with_connect_policy(
            (files / "index.html").read_text(), [api_endpoint, f"https://cognito-idp.{region}.amazonaws.com"]
        )
        self.deployment = s3_deployment.BucketDeployment(
            self,
            "Deploy",
            sources=[
                s3_deployment.Source.asset(str(files), exclude=["index.html"]),
                s3_deployment.Source.data("index.html", page),  # names this API, resolved at deploy time
                s3_deployment.Source.json_data("config.json", config),
            ],
            destination_bucket=self.bucket,
            distribution=self.distribution,
            distribution_paths=["/index.html", "/config.json"],  # the rest is named by its content's hash
            memory_limit=256,
            prune=True,
        )

    @property
    def url(self) -> str:
        return f"https://{self.distribution.distribution_domain_name}"
