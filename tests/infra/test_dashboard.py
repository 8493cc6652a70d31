"""The clinic dashboard's hosting in the synthesized stack: a private bucket read by CloudFront through origin access
control, HTTPS only, security headers with a strict Content-Security-Policy, app paths answered with index.html, the
files and a config.json from the stack's own values deployed into the bucket, and its origin in the API's CORS."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from infra.dashboard_site import content_security_policy, with_connect_policy
from standins.stack_template import resources_of_type, synthesized_template


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return synthesized_template()


def only(template: dict[str, Any], resource_type: str) -> tuple[str, dict[str, Any]]:
    ((name, resource),) = resources_of_type(template, resource_type).items()
    return name, resource


def test_the_bucket_is_private_and_tls_only(template: dict[str, Any]) -> None:
    _, bucket = only(template, "AWS::S3::Bucket")
    props = bucket["Properties"]
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert props["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    _, policy = only(template, "AWS::S3::BucketPolicy")
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    assert any(
        s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in statements
    )
    (read,) = [s for s in statements if s["Effect"] == "Allow"]
    assert read["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert read["Action"] == "s3:GetObject"
    assert "AWS:SourceArn" in read["Condition"]["StringEquals"]  # this distribution only


def test_cloudfront_reads_through_origin_access_control_over_https_only(template: dict[str, Any]) -> None:
    _, oac = only(template, "AWS::CloudFront::OriginAccessControl")
    assert oac["Properties"]["OriginAccessControlConfig"]["SigningBehavior"] == "always"
    _, distribution = only(template, "AWS::CloudFront::Distribution")
    config = distribution["Properties"]["DistributionConfig"]
    (origin,) = config["Origins"]
    assert "OriginAccessControlId" in origin
    behavior = config["DefaultCacheBehavior"]
    assert behavior["ViewerProtocolPolicy"] == "redirect-to-https"
    assert behavior["AllowedMethods"] == ["GET", "HEAD"]
    assert "ResponseHeadersPolicyId" in behavior
    assert config["DefaultRootObject"] == "index.html"
    assert {(e["ErrorCode"], e["ResponseCode"], e["ResponsePagePath"]) for e in config["CustomErrorResponses"]} == {
        (403, 200, "/index.html"),
        (404, 200, "/index.html"),
    }


def test_security_headers_and_a_strict_csp(template: dict[str, Any]) -> None:
    _, policy = only(template, "AWS::CloudFront::ResponseHeadersPolicy")
    headers = policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    csp = "".join(
        p if isinstance(p, str) else "<region>"
        for p in headers["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Join"][1]
    )
    assert csp == content_security_policy(
        ["https://*.execute-api.<region>.amazonaws.com", "https://cognito-idp.<region>.amazonaws.com"]
    )
    for directive in ("default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'"):
        assert directive in csp
    assert "unsafe" not in csp
    assert headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    assert headers["FrameOptions"]["FrameOption"] == "DENY"
    assert headers["ReferrerPolicy"]["ReferrerPolicy"] == "no-referrer"
    assert headers["ContentTypeOptions"]["Override"] is True


def test_the_files_and_a_config_from_the_stacks_own_values_are_deployed(template: dict[str, Any]) -> None:
    (deployment,) = [r for r in template["Resources"].values() if r["Type"] == "Custom::CDKBucketDeployment"]
    props = deployment["Properties"]
    assert len(props["SourceBucketNames"]) == 3  # the built files, index.html naming this API, and config.json
    config_markers = json.dumps(props["SourceMarkers"][-1])
    # the API's URL, the user pool's id (SRP sign-in needs it) and the app client's id, resolved at deploy time
    assert "HttpApi" in config_markers
    assert re.search(r'"Ref": "UsersPool[0-9A-F]{8}"', config_markers)
    assert "UsersPoolExtensionAndDashboard" in config_markers
    assert props["DistributionPaths"] == ["/index.html", "/config.json"]
    assert template["Outputs"]["DashboardUrl"]["Value"]["Fn::Join"][1][0] == "https://"


def test_the_deployed_page_narrows_requests_to_this_api(template: dict[str, Any]) -> None:
    (deployment,) = [r for r in template["Resources"].values() if r["Type"] == "Custom::CDKBucketDeployment"]
    page_markers, config_markers = deployment["Properties"]["SourceMarkers"][1:]
    assert "HttpApi" in json.dumps(page_markers)  # the page's policy names this API, resolved at deploy time
    assert "HttpApi" in json.dumps(config_markers)


def test_the_meta_policy_comes_first_in_the_head() -> None:
    page = with_connect_policy(
        '<!doctype html><html><head><meta charset="utf-8"><script src="app.js"></script>',
        ["https://abc123.execute-api.eu-west-1.amazonaws.com"],
    )
    head = page.split("<head>", 1)[1]
    assert head.startswith(
        '<meta http-equiv="Content-Security-Policy" content="connect-src \'self\' '
        'https://abc123.execute-api.eu-west-1.amazonaws.com">'
    )
    assert head.index("Content-Security-Policy") < head.index("<script")
