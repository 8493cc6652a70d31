"""``make dev``: the whole system on this machine, in the foreground until Ctrl-C.

* the API at ``http://127.0.0.1:$PORT`` (default 3000): the real handlers behind the local gateway, which checks
  tokens from ``make token`` as the JWT authorizer checks Cognito's;
* moto's server on ``127.0.0.1:$MOTO_PORT`` (default 5055) for DynamoDB, Scheduler, SQS and Secrets Manager,
  with the table created from the stack's definition;
* the local scheduler loop, firing due one-shot schedules into the execute handler every half second;
* the simulated Retell on ``127.0.0.1:$RETELL_SIM_PORT`` (default 3001), or real Retell when ``RETELL_API_KEY`` and
  ``RETELL_BASE_URL`` are both set (expose the webhook with a tunnel and set it in Retell's dashboard);
* the reconciler and the retention purge it runs, every ``RECONCILE_EVERY_S`` seconds (default 60), as its
  recurring schedule runs them in AWS;
* the notices function, fed by the table's stream (moto's) every half second, its retry sweep every
  ``NOTICES_SWEEP_EVERY_S`` seconds (default 60) and the daily digest's check every minute; what it sends goes to
  moto's SES (the sender verified at start) and chat webhooks are captured: ``GET /local/outbox`` lists both;
* the clinic dashboard at ``http://127.0.0.1:$WEB_PORT`` (default 3002), built from ``web/`` (cached in
  ``.build/``), talking to the local API and signing in with the local stack's tokens, and the API reference
  beside it at ``/api-docs/`` (Swagger UI over ``docs/openapi.json``, its "Try it out" against the local API);
* a seeded clinic ``demo`` (open every day, all day, Los Angeles time), and an admin token for it.

Knobs for a heavier load (``make soak`` sets them): ``RETELL_CONCURRENCY_LIMIT`` (the workspace's concurrent-call
limit the execute function enforces, default 20), ``RETELL_SIM_STEP_SECONDS`` (the simulated Retell's pause before
each of a call's webhooks, default 1), ``RETELL_SIM_WEBHOOK_WORKERS`` (how many calls' webhooks it delivers at once,
default 16), ``EXECUTE_WORKERS`` (how many execute invocations run at once, like Lambda's concurrency, default 8)
and ``WEBHOOK_CONCURRENCY`` (how many webhook invocations run at once, default 4; the API's function runs one at a
time).

Everything runs in this process (threads) but moto's server, which has a child process of its own: serving AWS's
wire protocol is half the stack's work, and apart it runs on another core. Ctrl-C stops all of it and leaves
nothing behind.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TYPE_CHECKING, Any

from standins.http_server import port_in_use

RECONCILE_RULE_ARN = "arn:aws:events:us-east-1:123456789012:rule/local-reconcile"
"""The rule the reconciler's ``Scheduled Event`` names locally (EventBridge's, in AWS)."""

if TYPE_CHECKING:
    from shared.logic.clinic_settings import ClinicSettingsService

DEMO_CLINIC = "demo"
LOCAL_DEV_KEY = "key_local_dev"


@dataclass(frozen=True)
class DevSettings:
    port: int
    retell_sim_port: int
    moto_port: int
    web_port: int
    retell_api_key: str
    real_retell_url: str | None
    sim_step_seconds: float = 1.0
    sim_webhook_workers: int = 16
    execute_workers: int = 8
    webhook_concurrency: int = 4
    reconcile_every_seconds: float = 60.0
    notices_sweep_seconds: float = 60.0

    @classmethod
    def from_environment(cls) -> DevSettings:
        key = os.environ.get("RETELL_API_KEY") or LOCAL_DEV_KEY
        real = os.environ.get("RETELL_BASE_URL") if os.environ.get("RETELL_API_KEY") else None
        return cls(
            port=int(os.environ.get("PORT") or 3000),
            retell_sim_port=int(os.environ.get("RETELL_SIM_PORT") or 3001),
            moto_port=int(os.environ.get("MOTO_PORT") or 5055),
            web_port=int(os.environ.get("WEB_PORT") or 3002),
            retell_api_key=key,
            real_retell_url=real,
            sim_step_seconds=float(os.environ.get("RETELL_SIM_STEP_SECONDS") or 1.0),
            sim_webhook_workers=int(os.environ.get("RETELL_SIM_WEBHOOK_WORKERS") or 16),
            execute_workers=int(os.environ.get("EXECUTE_WORKERS") or 8),
            webhook_concurrency=int(os.environ.get("WEBHOOK_CONCURRENCY") or 4),
            reconcile_every_seconds=float(os.environ.get("RECONCILE_EVERY_S") or 60),
            notices_sweep_seconds=float(os.environ.get("NOTICES_SWEEP_EVERY_S") or 60),
        )


def _environment(settings: DevSettings) -> None:
    from shared.telemetry import METRICS_NAMESPACE, SERVICE_NAME
    from standins.aws_resources import FAKE_CREDENTIALS

    os.environ.update(FAKE_CREDENTIALS)
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": f"http://127.0.0.1:{settings.moto_port}",
            "POWERTOOLS_SERVICE_NAME": SERVICE_NAME,
            "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO"),
            "SCHEDULER_MIN_LEAD_SECONDS": "1",
            "RETELL_DEFAULT_AGENT_ID": os.environ.get("RETELL_DEFAULT_AGENT_ID", "agent_local_demo"),
            "RETELL_DEFAULT_TEXT_AGENT_ID": os.environ.get("RETELL_DEFAULT_TEXT_AGENT_ID", "agent_local_demo_text"),
            "RETELL_DEFAULT_FROM_NUMBER": os.environ.get("RETELL_DEFAULT_FROM_NUMBER", "+14155559000"),
        }
    )
    os.environ.pop("AWS_PROFILE", None)


def _seed_demo_clinic(settings_service: ClinicSettingsService) -> None:
    from shared.models.principal import Principal
    from shared.models.settings import WEEKDAYS, ClinicSettings

    settings = ClinicSettings.model_validate(
        {
            "timezone": "America/Los_Angeles",
            "businessHours": {day: [["00:00", "24:00"]] for day in WEEKDAYS},
            "retry": {"maxRetries": 3, "backoffSeconds": [300, 600, 1200]},
            "maxConcurrentCalls": 5,
            "clinicName": "Demo Veterinary Clinic",
            "clinicPhone": "+14155559876",
            # Someone to tell, so a scenario's notices show in GET /local/outbox (nothing leaves this machine).
            "notifications": {
                "emails": ["frontdesk@demo-clinic.local"],
                "webhookUrl": "https://hooks.slack.com/services/TDEMO/BDEMO/demo",
            },
            # Owners who agreed to texts hear from the clinic a minute after the phone went unanswered; calls and
            # texts in Spanish go through the Spanish agents.
            "textFollowUp": {"enabled": True, "when": ["no_answer", "voicemail"], "delayMinutes": 1},
            "agents": {"es-US": {"agentId": "agent_local_demo_es", "textAgentId": "agent_local_demo_es_text"}},
        }
    )
    settings_service.replace(Principal("seed", DEMO_CLINIC, is_admin=True), settings)


class PortInUse(SystemExit):
    pass


def _serve_moto(port: int, ready: Any) -> None:
    """The child process: moto's server, with its DynamoDB corrected where the backend lives (``moto_atomic``).
    It runs until the parent terminates it; Ctrl-C reaches the whole process group, and the parent decides."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request is noise here
    os.environ["MOTO_DISABLE_GLOBAL_CORS"] = "true"  # read when moto's server module loads: no page reads it
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import make_server

    from standins.local_origins import LocalOnly
    from standins.moto_atomic import make_moto_dynamodb_atomic

    make_moto_dynamodb_atomic()
    # What ThreadedMotoServer serves, behind LocalOnly: boto3 sends no Origin, so any request with one is a web page's.
    app = LocalOnly(DomainDispatcherApplication(create_backend_app))
    server = make_server("127.0.0.1", port, app, True, request_handler=MotoRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True, name="moto-server").start()
    ready.set()
    threading.Event().wait()


def start_moto(port: int) -> BaseProcess:
    context = multiprocessing.get_context("spawn")  # nothing of this process (threads, locks) is inherited
    ready = context.Event()
    process = context.Process(target=_serve_moto, args=(port, ready), name="moto-server", daemon=True)
    process.start()
    if not ready.wait(60):
        stop_moto(process)
        raise SystemExit("moto's server did not start within 60 s")
    return process


def stop_moto(process: BaseProcess) -> None:
    process.terminate()
    process.join(10)
    if process.is_alive():
        process.kill()
        process.join(5)


def _require_free(port: int, variable: str) -> None:
    if port_in_use(port):
        raise PortInUse(f"port {port} is in use; choose another with {variable}=<port> (is a local stack running?)")


def run(settings: DevSettings, ready: threading.Event | None = None, stop: threading.Event | None = None) -> None:
    from local import log_format

    _require_free(settings.port, "PORT")
    _require_free(settings.moto_port, "MOTO_PORT")
    _require_free(settings.web_port, "WEB_PORT")
    if not settings.real_retell_url:
        _require_free(settings.retell_sim_port, "RETELL_SIM_PORT")

    _environment(settings)
    stop = stop or threading.Event()
    log_format.install()
    say = log_format.say
    from standins import iam_harness

    # Every AWS request a function makes is checked against its role in the synthesized stack; a refusal is
    # printed at once (it fails the request too), and the tally is written when the stack stops.
    iam_harness.install()
    iam_harness.template()  # now, not at the first request (from .build/, or synthesized once after a change)
    iam_harness.on_refusal(lambda refusal: say(f"IAM REFUSED {refusal}"))

    from standins.aws_resources import cached_table_request, create_resources
    from standins.dashboard_server import DashboardServer
    from standins.event_filters import notices_stream_filters
    from standins.gateway import LocalGateway
    from standins.invokers import AsynchronousInvocation, queue_destination
    from standins.lambda_events import rule_input_event, scheduled_event
    from standins.local_origins import dashboard_origins
    from standins.queue_feed import feed_once
    from standins.retell_sim import RetellSimulator
    from standins.scheduler_loop import LocalScheduler
    from standins.stack import LocalFunctions
    from standins.stream_feed import StreamFeed
    from standins.tokens import issue, verify

    moto = start_moto(settings.moto_port)
    simulator: RetellSimulator | None = None
    functions: list[LocalFunctions] = []  # built once moto and the simulated Retell are up

    def invoke(function: str, event: dict[str, Any]) -> Any:
        return functions[0].invoke(function, event)

    gateway = LocalGateway(
        invoke,
        authorize=verify,
        port=settings.port,
        cors_origins=("*",),
        issue_token=issue,
        concurrency={"retell_webhook": settings.webhook_concurrency},
        outbox=lambda: functions[0].outbox.entries() if functions else [],
        local_origins=dashboard_origins(settings.web_port),
    )
    workers = ThreadPoolExecutor(max_workers=settings.execute_workers, thread_name_prefix="execute")
    dashboard: DashboardServer | None = None
    try:
        os.environ.update(create_resources(cached_table_request("calls-local"), "calls-local", settings.retell_api_key))
        os.environ["DASHBOARD_URL"] = f"http://127.0.0.1:{settings.web_port}"  # links in the notices
        if settings.real_retell_url:
            os.environ["RETELL_BASE_URL"] = settings.real_retell_url
        else:
            simulator = RetellSimulator(
                settings.retell_api_key,
                f"{gateway.url}/webhooks/retell",
                port=settings.retell_sim_port,
                step_seconds=settings.sim_step_seconds,
                delivery_workers=settings.sim_webhook_workers,
                log=lambda line: say(f"retell-sim: {line}"),
            )
            simulator.start()
            os.environ["RETELL_BASE_URL"] = simulator.url
        functions.append(LocalFunctions.from_environment(background=True))
        _seed_demo_clinic(functions[0].api.settings)

        import boto3

        def run_execute(payload: dict[str, Any]) -> None:
            result = invoke("execute", payload)
            detail = result.get("detail") or result.get("status")
            say(
                f"schedule fired (attempt {payload.get('attempt')}): {result.get('result')}, {detail}",
                str(payload.get("callId", "")),
            )

        with iam_harness.acting_as("execute"):  # Lambda sends a function's destinations with the function's role
            destinations = boto3.client("sqs")
        # Scheduler invokes Lambda asynchronously: delivery succeeds once the invocation is accepted, schedules that
        # come due together run side by side, and a failed run goes to execute's on-failure queue, never retried.
        fire = AsynchronousInvocation(
            "execute",
            run_execute,
            queue_destination(destinations, os.environ["EXECUTE_FAILURES_QUEUE_ARN"]),
            submit=lambda work: workers.submit(work),
        )

        scheduler = LocalScheduler(
            boto3.client("scheduler"),
            os.environ["SCHEDULE_GROUP_NAME"],
            target=fire,
            sqs=boto3.client("sqs"),
            log=lambda line: say(f"scheduler: {line}"),
        )
        # The first dial would import retell-sdk (about 1.5 s); in Lambda that is execute's cold start, here it
        # would only delay the first call, so import it now, beside the startup.
        threading.Thread(target=lambda: __import__("retell"), name="warm-up", daemon=True).start()
        loop = threading.Thread(target=scheduler.run, args=(stop,), name="scheduler-loop", daemon=True)
        loop.start()

        with iam_harness.acting_as("reconcile"):  # the dead-letter queues' event source reads with its role
            sqs = boto3.client("sqs")
        dead_letter_queues = {
            arn: sqs.get_queue_url(QueueName=arn.rsplit(":", 1)[-1])["QueueUrl"]
            for arn in (os.environ["SCHEDULER_DLQ_ARN"], os.environ["EXECUTE_FAILURES_QUEUE_ARN"])
        }

        def reconcile_forever() -> None:
            while not stop.wait(settings.reconcile_every_seconds):
                try:
                    # The dead-letter queues feed the reconciler (its SQS event source in AWS), then its own run.
                    fed = sum(
                        feed_once(sqs, url, arn, lambda event: invoke("reconcile", event))
                        for arn, url in dead_letter_queues.items()
                    )
                    if fed:
                        say(f"reconciler: repaired the calls of {fed} dead letters")
                    result = invoke("reconcile", scheduled_event(RECONCILE_RULE_ARN))
                except Exception as error:  # as a failed Lambda run: logged, and the next run tries again
                    say(f"reconciler: run failed: {error}")
                    continue
                if result.get("checked"):
                    say(f"reconciler: checked {result['checked']} calls: {result.get('repairs')}")

        threading.Thread(target=reconcile_forever, name="reconciler-loop", daemon=True).start()
        with iam_harness.acting_as("notices"):  # the stream's event source reads with the notices function's role
            streams = boto3.client("dynamodbstreams")
        feed = StreamFeed(
            boto3.client("dynamodb"), streams, os.environ["TABLE_NAME"], log=say, filters=notices_stream_filters()
        )

        def send_notices_forever() -> None:
            # The stream's event source, the sweep's rule (every minute in AWS) and the digest's (hourly in AWS;
            # it sends only at a clinic's hour, once a day, so checking every minute here changes nothing).
            last_sweep = last_digest = time.monotonic()
            while not stop.wait(0.5):
                try:
                    feed.feed_once(lambda event: invoke("notices", event))
                    now = time.monotonic()
                    if now - last_sweep >= settings.notices_sweep_seconds:
                        last_sweep = now
                        invoke("notices", rule_input_event({"action": "sweep"}))
                    if now - last_digest >= 60:
                        last_digest = now
                        invoke("notices", rule_input_event({"action": "digest"}))
                except Exception as error:  # as a failed invocation: the stream's records come again
                    say(f"notices: run failed: {error}")

        threading.Thread(target=send_notices_forever, name="notices-loop", daemon=True).start()
        gateway.start()
        dashboard = DashboardServer(gateway.url, port=settings.web_port).start()
        token = issue(DEMO_CLINIC, "admin")
        retell = settings.real_retell_url or f"simulated at {simulator.url if simulator else ''}"
        print(
            f"\nlocal stack ready\n"
            f"  API              {gateway.url}   (GET /health)\n"
            f"  dashboard        {dashboard.url}/   (sign in with a local token)\n"
            f"  API reference    {dashboard.url}/api-docs/   (Swagger UI over docs/openapi.json)\n"
            f"  Retell           {retell}\n"
            f"  AWS (moto)       http://127.0.0.1:{settings.moto_port}\n"
            f"  reconciler       every {settings.reconcile_every_seconds:g} s (RECONCILE_EVERY_S)\n"
            f"  notices          {gateway.url}/local/outbox   (moto's SES; chat webhooks captured)\n"
            f"  clinic           {DEMO_CLINIC} (open all day, every day; America/Los_Angeles)\n"
            f"  admin token      (make token CLINIC=demo ROLE=admin prints another)\n"
            f"{token}\n",
            flush=True,
        )
        if ready is not None:
            ready.set()
        stop.wait()
    finally:
        stop.set()
        say("stopping")
        if dashboard is not None:
            dashboard.stop()
        gateway.stop()
        workers.shutdown(wait=True, cancel_futures=True)
        if simulator is not None:
            simulator.stop()
        stop_moto(moto)
        recorded = iam_harness.write_tally(Path(os.environ.get("IAM_TALLY") or ".build/iam-requests-dev.json"))
        say(iam_harness.summary(recorded))
        say("stopped: API, scheduler loop, simulated Retell, moto and the dashboard are all down")


def main() -> int:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    run(DevSettings.from_environment(), stop=stop)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
