"""The simulated Retell server (contract section 5).

* ``POST /v2/create-phone-call``: bearer API key, Retell's body, ``201`` with a call object. ``idempotency_key``
  works as Retell documents it: a repeat within an hour answers with the same call and places nothing.
* ``GET /v2/get-call/{id}``, ``POST /v3/list-calls`` (metadata filters), for the calls it placed.
* ``GET /_sim/calls``: every create-phone-call request received, oldest first, so tests can count dials.
* ``GET /_sim/health``: the calls placed so far and the webhooks not yet delivered (``make soak`` waits for none).
* Webhooks ``call_started`` (connected calls only), ``call_ended``, ``call_analyzed``, signed as Retell signs them,
  POSTed to ``webhook_url``; delivered in the background (``auto_deliver``) or when a test calls ``flush()``. In the
  background, as Retell does, calls are delivered side by side (a pool of ``delivery_workers``) while each call's
  own events go in order, ``step_seconds`` apart, a failed delivery retried up to three times.
* Faults for tests (``inject``, or ``POST /_sim/faults``): hang or fail a create after placing the call, fail it
  before placing it, or hide calls from list-calls (index lag).
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
import itertools
import json
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, Self

import httpx
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from standins.http_server import BackgroundServer
from standins.retell_sim.scenarios import Script, rate_limited, script_for

IDEMPOTENCY_WINDOW = timedelta(hours=1)
DELIVERY_RETRIES = 3  # Retell retries a webhook that is not answered 2xx up to three times
FaultKind = Literal["hang_after_create", "error_after_create", "error_before_create", "hide_from_list"]


@dataclass
class Fault:
    """A one-off misbehaviour for the next ``times`` matching requests."""

    kind: FaultKind
    times: int = 1
    status: int = 500
    delay_seconds: float = 2.0


@dataclass
class LoggedRequest:
    to_number: str | None
    metadata: Any
    status_code: int
    call_id: str | None
    received_at: str
    idempotency_key: str | None = None


@dataclass
class SimCall:
    call: dict[str, Any]
    script: Script
    created_at: datetime


@dataclass
class Webhook:
    event: str
    body: str
    call_id: str = ""
    failures: int = 0


def sign(body: str, api_key: str, timestamp_ms: int | None = None) -> str:
    """``x-retell-signature`` exactly as Retell computes it."""
    stamp = int(time.time() * 1000) if timestamp_ms is None else timestamp_ms
    digest = hmac.new(api_key.encode(), (body + str(stamp)).encode(), hashlib.sha256).hexdigest()
    return f"v={stamp},d={digest}"


def _epoch_ms(instant: datetime) -> int:
    return int(instant.timestamp() * 1000)


def _error(status: int, message: str) -> Response:
    return Response(json.dumps({"status": "error", "message": message}), status=status, mimetype="application/json")


class RetellSimulator(BackgroundServer):
    def __init__(
        self,
        api_key: str = "key_local_dev",
        webhook_url: str | None = None,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        auto_deliver: bool = True,
        step_seconds: float = 0.5,
        delivery_workers: int = 16,
        host: str = "127.0.0.1",
        port: int = 0,
        log: Callable[[str], None] | None = None,
    ):
        self.api_key = api_key
        self.webhook_url = webhook_url
        self._clock = clock
        self._auto_deliver = auto_deliver
        self._step = step_seconds
        self._delivery_workers = max(1, delivery_workers)
        self._log = log or (lambda _line: None)
        self._lock = threading.RLock()
        self._calls: dict[str, SimCall] = {}
        self._by_key: dict[str, tuple[str, datetime]] = {}
        self._requests: list[LoggedRequest] = []
        self._requests_to: Counter[str | None] = Counter()
        self._calls_to: Counter[str] = Counter()
        self._faults: list[Fault] = []
        # Webhooks not yet delivered, per call, in the order each call's must go (calls in the order they were placed).
        self._outbox: dict[str, deque[Webhook]] = {}
        # auto_deliver: (when, turn, call id) for each call with a webhook waiting; a call has at most one entry
        # (``_turns``), and a worker that takes it owns the call's delivery until it puts the call back or is done.
        self._due: list[tuple[float, int, str]] = []
        self._turns: dict[str, int] = {}
        self._turn_numbers = itertools.count()
        self._in_delivery = 0
        # One client (a connection pool) for every delivery: a client per request would build a TLS context each time.
        self._http = httpx.Client(timeout=30)
        self._deliveries: list[tuple[str, int]] = []
        self._wake = threading.Condition(self._lock)
        self._stopping = False
        self._routes = Map(
            [
                Rule("/v2/create-phone-call", methods=["POST"], endpoint="create"),
                Rule("/v2/get-call/<call_id>", methods=["GET"], endpoint="get"),
                Rule("/v3/list-calls", methods=["POST"], endpoint="list"),
                Rule("/_sim/calls", methods=["GET"], endpoint="sim_calls"),
                Rule("/_sim/faults", methods=["POST"], endpoint="sim_faults"),
                Rule("/_sim/health", methods=["GET"], endpoint="sim_health"),
            ]
        )
        super().__init__(self._wsgi, host, port, name="retell-sim")

    def start(self) -> Self:
        super().start()
        if self._auto_deliver:
            for index in range(self._delivery_workers):
                self.spawn(self._deliver_forever, f"retell-sim-webhooks-{index}")
        return self

    def stop(self) -> None:
        with self._lock:
            self._stopping = True
            self._wake.notify_all()
        super().stop()
        self._http.close()

    # -- test helpers --------------------------------------------------------------------------------------------

    def inject(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def requests(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._requests)

    def placed_call_ids(self) -> list[str]:
        """Calls actually placed (an idempotent repeat or a refused request places none): the number of dials."""
        with self._lock:
            return list(self._calls)

    def call(self, call_id: str) -> dict[str, Any]:
        with self._lock:
            return dict(self._calls[call_id].call)

    def pending(self) -> list[Webhook]:
        """Webhooks not delivered yet: each call's in its order, calls in the order they were placed."""
        with self._lock:
            return [webhook for queue in self._outbox.values() for webhook in queue]

    def take_pending(self) -> list[Webhook]:
        """Take the pending webhooks away from the background delivery (to deliver, reorder or lose them)."""
        with self._lock:
            pending = [webhook for queue in self._outbox.values() for webhook in queue]
            self._outbox.clear()
            self._turns.clear()  # the due entries left behind no longer own anything
            return pending

    def flush(self) -> list[int]:
        """Deliver every pending webhook now, in order; the receiver's status codes."""
        return [self.deliver(webhook.body) for webhook in self.take_pending()]

    def deliver(self, body: str, signature: str | None = None) -> int:
        """POST one webhook body (signed now unless ``signature`` is given) to ``webhook_url``."""
        if self.webhook_url is None:
            raise RuntimeError("the simulator has no webhook_url to deliver to")
        headers = {"content-type": "application/json", "x-retell-signature": signature or sign(body, self.api_key)}
        response = self._http.post(self.webhook_url, content=body.encode(), headers=headers)
        with self._lock:
            self._deliveries.append((json.loads(body).get("event", "?"), response.status_code))
        return response.status_code

    def deliveries(self) -> list[tuple[str, int]]:
        with self._lock:
            return list(self._deliveries)

    # -- HTTP ----------------------------------------------------------------------------------------------------

    def _wsgi(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        try:
            endpoint, args = self._routes.bind_to_environ(environ).match()
            response = getattr(self, f"_on_{endpoint}")(request, **args)
        except NotFound:
            response = _error(404, "Not found")
        except HTTPException as error:
            response = _error(error.code or 400, error.description or "bad request")
        return response(environ, start_response)

    def _authorized(self, request: Request) -> bool:
        return hmac.compare_digest(request.headers.get("Authorization", ""), f"Bearer {self.api_key}")

    def _take_fault(self, *kinds: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.kind in kinds:
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def _on_create(self, request: Request) -> Response:
        if not self._authorized(request):
            return _error(401, "Unauthorized: invalid API key")
        try:
            body = json.loads(request.get_data(as_text=True) or "{}")
        except json.JSONDecodeError:
            return _error(400, "Invalid JSON body")
        to_number, key = body.get("to_number"), body.get("idempotency_key")
        log = LoggedRequest(to_number, body.get("metadata"), 0, None, self._clock().isoformat(), key)
        with self._lock:
            self._requests.append(log)  # logged on receipt: a request that hangs has still been received
            earlier_requests = self._requests_to[to_number]
            self._requests_to[to_number] += 1
        response = self._create(body, log, earlier_requests)
        log.status_code = response.status_code
        self._log(f"create-phone-call to={to_number} -> {response.status_code} {log.call_id or ''}")
        return response

    def _create(self, body: dict[str, Any], log: LoggedRequest, earlier_requests: int) -> Response:
        to_number, from_number = body.get("to_number"), body.get("from_number")
        if not isinstance(to_number, str) or not isinstance(from_number, str):
            return _error(400, "from_number and to_number are required")
        agent = body.get("override_agent_id")
        if agent is not None and not str(agent).startswith("agent_"):
            return _error(422, "Cannot find requested asset under given api key.")
        variables = body.get("retell_llm_dynamic_variables") or {}
        if not all(isinstance(value, str) for value in variables.values()):
            return _error(400, "All values in retell_llm_dynamic_variables must be strings")
        now = self._clock()
        key = body.get("idempotency_key")
        with self._lock:
            repeat_of = self._by_key.get(key) if key else None
        if repeat_of is not None and now - repeat_of[1] < IDEMPOTENCY_WINDOW:
            log.call_id = repeat_of[0]
            log.status_code = 201
            hang = self._take_fault("hang_after_create")
            if hang is not None:
                time.sleep(hang.delay_seconds)
            with self._lock:
                return Response(json.dumps(self._calls[log.call_id].call), status=201, mimetype="application/json")
        if self._take_fault("error_before_create"):
            return _error(500, "Internal server error")
        if rate_limited(to_number, earlier_requests):
            return _error(429, "Account rate limited, please throttle your requests.")
        call_id = f"call_{uuid.uuid4().hex[:24]}"
        call = {
            "call_id": call_id,
            "call_type": "phone_call",
            "agent_id": agent or "agent_sim_default",
            "agent_version": 1,
            "call_status": "registered",
            "direction": "outbound",
            "from_number": from_number,
            "to_number": to_number,
            "metadata": body.get("metadata") or {},
            "retell_llm_dynamic_variables": variables,
        }
        with self._lock:
            script = script_for(to_number, self._calls_to[to_number])
            self._calls_to[to_number] += 1
            self._calls[call_id] = SimCall(call, script, now)
            if key:
                self._by_key[key] = (call_id, now)
        log.call_id = call_id
        self._play(call_id)
        fault = self._take_fault("hang_after_create", "error_after_create")
        if fault is not None and fault.kind == "hang_after_create":
            log.status_code = 201  # answered, but after the client gave up
            time.sleep(fault.delay_seconds)
        elif fault is not None:
            return _error(fault.status, "Internal server error")
        log.status_code = 201
        return Response(json.dumps(call), status=201, mimetype="application/json")

    def _on_get(self, request: Request, call_id: str) -> Response:
        if not self._authorized(request):
            return _error(401, "Unauthorized: invalid API key")
        with self._lock:
            sim_call = self._calls.get(call_id)
            if sim_call is None:
                return _error(404, "Call not found")
            return Response(json.dumps(sim_call.call), mimetype="application/json")

    def _on_list(self, request: Request) -> Response:
        if not self._authorized(request):
            return _error(401, "Unauthorized: invalid API key")
        body = json.loads(request.get_data(as_text=True) or "{}")
        filters = (body.get("filter_criteria") or {}).get("metadata") or []
        hidden = self._take_fault("hide_from_list") is not None
        with self._lock:
            calls = [] if hidden else [c.call for c in self._calls.values() if _matches(c.call, filters)]
        items = [{k: v for k, v in call.items() if k not in {"transcript", "recording_url"}} for call in calls]
        limit = int(body.get("limit") or 50)
        return Response(
            json.dumps({"items": items[:limit], "has_more": len(items) > limit, "pagination_key": None}),
            mimetype="application/json",
        )

    def _on_sim_calls(self, request: Request) -> Response:
        entries = [{k: v for k, v in asdict(entry).items() if k != "idempotency_key"} for entry in self.requests()]
        return Response(json.dumps(entries), mimetype="application/json")

    def _on_sim_faults(self, request: Request) -> Response:
        self.inject(Fault(**json.loads(request.get_data(as_text=True))))
        return Response(status=204)

    def _on_sim_health(self, request: Request) -> Response:
        with self._lock:
            pending = sum(len(queue) for queue in self._outbox.values()) + self._in_delivery
            placed = len(self._calls)
        body = {"status": "ok", "callsPlaced": placed, "webhooksPending": pending}
        return Response(json.dumps(body), mimetype="application/json")

    # -- placing calls -------------------------------------------------------------------------------------------

    def _play(self, call_id: str) -> None:
        """Play the call's script: update the call object and queue its webhooks (each a snapshot of the call)."""
        with self._lock:
            sim_call = self._calls[call_id]
            call, script = sim_call.call, sim_call.script
            start = sim_call.created_at + timedelta(seconds=2)
            end = start + timedelta(seconds=script.duration_seconds or 25)
            if script.connects:
                call.update(call_status="ongoing", start_timestamp=_epoch_ms(start))
                self._queue("call_started", call)
            call.update(
                call_status=script.call_status,
                end_timestamp=_epoch_ms(end),
                disconnection_reason=script.disconnection_reason,
                duration_ms=int((end - start).total_seconds() * 1000) if script.connects else 0,
            )
            if script.transcript is not None:
                call.update(
                    transcript=script.transcript,
                    recording_url=f"https://retell-sim.local/recordings/{call_id}.wav",
                )
            self._queue("call_ended", call)
            call["call_analysis"] = {
                "call_summary": script.summary,
                "user_sentiment": script.sentiment,
                "call_successful": script.successful,
                "in_voicemail": script.in_voicemail,
            }
            self._queue("call_analyzed", call)

    def _queue(self, event: str, call: dict[str, Any]) -> None:
        call_id = str(call["call_id"])
        body = json.dumps({"event": event, "call": call}, separators=(",", ":"))
        self._outbox.setdefault(call_id, deque()).append(Webhook(event, body, call_id))
        if self._auto_deliver and call_id not in self._turns:
            self._take_turn(call_id, time.monotonic() + self._step)

    def _take_turn(self, call_id: str, when: float) -> None:
        """Under the lock: the call's next webhook is due at ``when`` (monotonic)."""
        turn = next(self._turn_numbers)
        self._turns[call_id] = turn
        heapq.heappush(self._due, (when, turn, call_id))
        self._wake.notify()

    def _next_due(self) -> tuple[str, int, Webhook] | None:
        """Wait for a call whose next webhook is due, and take that webhook (``None``: stopping)."""
        with self._lock:
            while not self._stopping:
                if not self._due:
                    self._wake.wait()
                    continue
                when, turn, call_id = self._due[0]
                wait = when - time.monotonic()
                if wait > 0:
                    self._wake.wait(wait)
                    continue
                heapq.heappop(self._due)
                if self._due:
                    self._wake.notify()  # another worker watches the next one
                queue = self._outbox.get(call_id)
                if self._turns.get(call_id) != turn or not queue:
                    continue  # taken away by take_pending()
                self._in_delivery += 1
                return call_id, turn, queue.popleft()
            return None

    def _deliver_forever(self) -> None:
        """One of the delivery workers: deliver due webhooks until stopped. Each call's webhooks go one at a time,
        ``step`` apart; a failed delivery is retried ``step`` later, up to three times, as Retell does."""
        while (taken := self._next_due()) is not None:
            call_id, turn, webhook = taken
            try:
                status = self.deliver(webhook.body)
            except Exception as error:  # a refused connection, a timeout: a failed delivery; the worker goes on
                self._log(f"webhook {webhook.event} delivery failed: {error}")
                status = 0
            failed = not 200 <= status < 300
            if failed:
                webhook.failures += 1
                if webhook.failures > DELIVERY_RETRIES:
                    self._log(f"webhook {webhook.event} of {call_id} given up after {webhook.failures} deliveries")
            with self._lock:
                self._in_delivery -= 1
                queue = self._outbox.get(call_id)
                if queue is None or self._turns.get(call_id) != turn:
                    continue  # take_pending() took the call's webhooks meanwhile
                if failed and webhook.failures <= DELIVERY_RETRIES:
                    queue.appendleft(webhook)
                if queue:
                    self._take_turn(call_id, time.monotonic() + self._step)
                else:
                    del self._outbox[call_id]
                    del self._turns[call_id]


def _matches(call: dict[str, Any], filters: list[dict[str, Any]]) -> bool:
    metadata = call.get("metadata") or {}
    for criterion in filters:
        value = metadata.get(criterion.get("key"))
        op, expected = criterion.get("op"), criterion.get("value")
        if op == "eq" and value != expected:
            return False
        if op == "ne" and value == expected:
            return False
    return True
