"""The simulated Retell server (contract section 5). Every Retell route checks the bearer API key.

* ``POST /v2/create-phone-call``: Retell's body, ``201`` with a call object. ``idempotency_key`` works as Retell
  documents it, for retries of a *finished* request: a repeat within an hour of a request that has been answered
  answers with the same call and places nothing; a repeat that arrives while a request with that key is still being
  answered is a new call (a second call placed, in ``/_sim/calls``), as nothing promises otherwise. The number
  called decides what happens (``scenarios``).
* ``GET /v2/get-call/{id}``: the call as Retell gives it, final at once (transcript, analysis, timestamps), with a
  freshly signed ``recording_url`` each time (Retell's links expire); ``GET /recordings/{id}.wav`` serves the link.
* ``DELETE /v2/delete-call/{id}``: the call is deleted, recording and all: get-call and its recording link answer
  ``404`` after. ``fail_delete`` (``inject``) fails the next deletions with a 5xx, deleting nothing.
* ``POST /v3/list-calls``: retell-sdk's ``call.list`` (``filter_criteria``, ``sort_order``, ``limit``,
  ``pagination_key``, ``skip``, ``include_total``), answered ``{"items", "has_more", "pagination_key"}``. A filter
  that retell-sdk's ``call_list_params`` types do not allow is refused ``400`` (``filters``).
* Agents and Retell LLMs (``agents.AgentStore``), as retell-sdk's ``agent`` and ``llm`` resources call them. An
  agent's ``webhook_url`` replaces the account's for the calls placed with it, as at Retell.
* Texts (Retell SMS chats, ``chats`` and ``chat_scenarios``): ``POST /create-sms-chat`` (retell-sdk's
  ``chat.create_sms_chat``, ``201`` with a chat, ``chat_status: "ongoing"``), ``GET /get-chat/{id}`` (the chat ended,
  its transcript and analysis, at once, as get-call), ``DELETE /delete-chat/{id}`` (``404`` after; ``fail_delete``
  fails it too) and ``POST /v3/list-chats`` (retell-sdk's ``chat.list``: its ``chat_list_params`` filters, which have
  no metadata filter; others refused ``400``). Chat agents as retell-sdk's ``chat_agent`` resource calls them. The
  owner's reply is chosen by the number texted. Webhooks ``chat_started``, ``chat_ended``, ``chat_analyzed``
  (``{"event", "chat"}``) go as call events do, to the chat agent's ``webhook_url`` or else the account's.
* ``GET /_sim/calls``: every create-phone-call request received, oldest first, so tests can count dials; ``GET
  /_sim/chats`` the same for create-sms-chat requests.
* ``GET /_sim/health``: the calls placed and chats started so far, the webhooks not yet delivered (``make soak``
  waits for none) and those dropped.
* ``GET`` / ``POST /_sim/faults``: account-wide switches, ``{"createPhoneCall": "ok" | "401" | "402", "webhooks":
  "deliver" | "drop", "listLagSeconds": N}`` (``set_faults`` in Python). ``listLagSeconds``: list-calls shows a
  call only ``N`` seconds (of the simulator's clock) after it was placed, as an index that lags; get-call and the
  webhooks are not delayed. ``0`` (the default) lists a call at once.
* Webhooks ``call_started`` (connected calls only), ``call_ended``, ``call_analyzed``, signed as Retell signs them,
  POSTed to ``webhook_url``; delivered in the background (``auto_deliver``) or when a test calls ``flush()``. In the
  background, as Retell does, calls are delivered side by side (a pool of ``delivery_workers``) while each call's
  own events go in order, ``step_seconds`` apart, a failed delivery retried up to three times.
* One-off faults for tests (``inject``): hang or fail a create after placing the call, fail it before placing it,
  hide calls from list-calls (index lag), or answer a get-call only after ``delay_seconds`` (a slow Retell).
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
import io
import itertools
import json
import threading
import time
import uuid
import wave
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, Self
from urllib.parse import urlencode

import httpx
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from standins.http_server import BackgroundServer
from standins.retell_sim import chats
from standins.retell_sim.agents import AgentStore, Answer
from standins.retell_sim.chat_scenarios import chat_script_for
from standins.retell_sim.filters import CHATS, BadFilter, FilterTable, check, matches, page
from standins.retell_sim.scenarios import Script, refusal, script_for, slow_dial

IDEMPOTENCY_WINDOW = timedelta(hours=1)
DELIVERY_RETRIES = 3  # Retell retries a webhook that is not answered 2xx up to three times
DELIVERY_TIMEOUT_SECONDS = 10.0  # and gives up waiting for the answer after 10 s (then retries): no kinder here
RECORDING_LINK_LIFETIME = timedelta(hours=24)  # Retell's signed links (opt_in_signed_url) expire after a day
# What list-calls leaves out of each call (retell-sdk's ``call_list_response`` items): get-call has them.
NOT_LISTED = frozenset({"transcript", "transcript_object", "transcript_with_tool_calls"})
FaultKind = Literal[
    "hang_after_create",
    "error_after_create",
    "error_before_create",
    "hide_from_list",
    "slow_get_call",
    "fail_delete",
    "fail_create_sms_chat",
    "error_after_create_sms_chat",
]
CreatePhoneCallSwitch = Literal["ok", "401", "402"]
WebhooksSwitch = Literal["deliver", "drop"]
CREATE_PHONE_CALL_SWITCHES: tuple[CreatePhoneCallSwitch, ...] = ("ok", "401", "402")
WEBHOOKS_SWITCHES: tuple[WebhooksSwitch, ...] = ("deliver", "drop")
LIST_PARAMS = frozenset({"filter_criteria", "include_total", "limit", "pagination_key", "skip", "sort_order"})
"""retell-sdk's ``call_list_params``: the only fields a list-calls body may hold."""
MAX_LIST_LAG_SECONDS = 86_400
_ACCOUNT_REFUSALS = {
    "401": (401, "Unauthorized: the API key is invalid or has been revoked."),
    "402": (402, "Trial has ended, please add payment method."),
}


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
    agent_id: str | None = None  # the request's override_agent_id, or the agent the call was placed with


@dataclass
class LoggedChatRequest:
    to_number: str | None
    metadata: Any
    status_code: int
    chat_id: str | None
    agent_id: str | None  # the request's override_agent_id, or the chat agent the chat was started with
    received_at: str


@dataclass
class SimCall:
    call: dict[str, Any]
    script: Script
    created_at: datetime
    webhook_url: str | None = None  # the agent's, which replaces the account's; None: the account's
    webhook_events: frozenset[str] | None = None  # the agent's subscription; None: Retell's default three


@dataclass
class Webhook:
    event: str
    body: str
    call_id: str = ""  # a chat's events: the chat's chat_id
    failures: int = 0
    url: str | None = None  # None: the simulator's webhook_url


def sign(body: str, api_key: str, timestamp_ms: int | None = None) -> str:
    """``x-retell-signature`` exactly as Retell computes it."""
    stamp = int(time.time() * 1000) if timestamp_ms is None else timestamp_ms
    digest = hmac.new(api_key.encode(), (body + str(stamp)).encode(), hashlib.sha256).hexdigest()
    return f"v={stamp},d={digest}"


def _epoch_ms(instant: datetime) -> int:
    return int(instant.timestamp() * 1000)


def _error(status: int, message: str) -> Response:
    return Response(json.dumps({"status": "error", "message": message}), status=status, mimetype="application/json")


def _json(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


def _answer(answer: Answer) -> Response:
    return _json(answer.body, answer.status) if answer.body is not None else _error(answer.status, answer.message)


def _body(request: Request) -> dict[str, Any] | None:
    """The request's JSON object (an empty body is ``{}``), or ``None`` when it is not one."""
    try:
        body = json.loads(request.get_data(as_text=True) or "{}")
    except json.JSONDecodeError:
        return None
    return body if isinstance(body, dict) else None


def _transcript_object(transcript: str) -> list[dict[str, Any]]:
    """Retell's ``transcript_object`` for a scripted transcript: one utterance a line (word timings left empty)."""
    roles = {"Agent": "agent", "User": "user"}
    utterances = []
    for line in transcript.splitlines():
        speaker, _, content = line.partition(": ")
        utterances.append({"role": roles.get(speaker, "user"), "content": content, "words": []})
    return utterances


def _silent_wav() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(8000)
        audio.writeframes(b"\0\0" * 800)
    return out.getvalue()


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
        slow_dial_seconds: float = 15.0,
        host: str = "127.0.0.1",
        port: int = 0,
        log: Callable[[str], None] | None = None,
    ):
        self.api_key = api_key
        self.webhook_url = webhook_url
        self.slow_dial_seconds = slow_dial_seconds  # how long a create to the slow-dial number takes to answer
        self._clock = clock
        self._auto_deliver = auto_deliver
        self._step = step_seconds
        self._delivery_workers = max(1, delivery_workers)
        self._log = log or (lambda _line: None)
        self._lock = threading.RLock()
        self._calls: dict[str, SimCall] = {}
        self.deleted: list[str] = []
        """The calls deleted (delete-call), oldest first."""
        self._chats: dict[str, chats.SimChat] = {}
        self._chat_requests: list[LoggedChatRequest] = []
        self.deleted_chats: list[str] = []
        """The chats deleted (delete-chat), oldest first."""
        self._by_key: dict[str, tuple[str, datetime]] = {}
        # Idempotency keys of create-phone-call requests being answered now (a key -> how many such requests).
        self._answering: Counter[str] = Counter()
        self._list_lag = timedelta(0)
        self._requests: list[LoggedRequest] = []
        self._requests_to: Counter[str] = Counter()
        self._calls_to: Counter[str] = Counter()
        self._faults: list[Fault] = []
        self._create_phone_call: CreatePhoneCallSwitch = "ok"
        self._webhooks: WebhooksSwitch = "deliver"
        self._dropped: list[Webhook] = []
        self._agents = AgentStore(lambda: _epoch_ms(self._clock()))
        self._link_numbers = itertools.count(1)
        self._wav = _silent_wav()
        # Webhooks not yet delivered, per call, in the order each call's must go (calls in the order they were placed).
        self._outbox: dict[str, deque[Webhook]] = {}
        # auto_deliver: (when, turn, call id) for each call with a webhook waiting; a call has at most one entry
        # (``_turns``), and a worker that takes it owns the call's delivery until it puts the call back or is done.
        self._due: list[tuple[float, int, str]] = []
        self._turns: dict[str, int] = {}
        self._turn_numbers = itertools.count()
        self._in_delivery = 0
        # One client (a connection pool) for every delivery: a client per request would build a TLS context each time.
        self._http = httpx.Client(timeout=DELIVERY_TIMEOUT_SECONDS)
        self._deliveries: list[tuple[str, int]] = []
        self._wake = threading.Condition(self._lock)
        self._stopping = False
        self._stopped = threading.Event()  # cuts a slow dial's wait short when the server stops
        self._routes = Map(
            [
                Rule("/v2/create-phone-call", methods=["POST"], endpoint="create"),
                Rule("/v2/get-call/<call_id>", methods=["GET"], endpoint="get"),
                Rule("/v2/delete-call/<call_id>", methods=["DELETE"], endpoint="delete"),
                Rule("/v3/list-calls", methods=["POST"], endpoint="list"),
                Rule("/create-retell-llm", methods=["POST"], endpoint="create_llm"),
                Rule("/update-retell-llm/<llm_id>", methods=["PATCH"], endpoint="update_llm"),
                Rule("/get-retell-llm/<llm_id>", methods=["GET"], endpoint="get_llm"),
                Rule("/v2/list-retell-llms", methods=["GET"], endpoint="list_llms"),
                Rule("/create-agent", methods=["POST"], endpoint="create_agent"),
                Rule("/update-agent/<agent_id>", methods=["PATCH"], endpoint="update_agent"),
                Rule("/get-agent/<agent_id>", methods=["GET"], endpoint="get_agent"),
                Rule("/v2/list-agents", methods=["POST"], endpoint="list_agents"),
                Rule("/create-sms-chat", methods=["POST"], endpoint="create_sms_chat"),
                Rule("/get-chat/<chat_id>", methods=["GET"], endpoint="get_chat"),
                Rule("/delete-chat/<chat_id>", methods=["DELETE"], endpoint="delete_chat"),
                Rule("/v3/list-chats", methods=["POST"], endpoint="list_chats"),
                Rule("/create-chat-agent", methods=["POST"], endpoint="create_chat_agent"),
                Rule("/update-chat-agent/<agent_id>", methods=["PATCH"], endpoint="update_chat_agent"),
                Rule("/get-chat-agent/<agent_id>", methods=["GET"], endpoint="get_chat_agent"),
                Rule("/delete-chat-agent/<agent_id>", methods=["DELETE"], endpoint="delete_chat_agent"),
                Rule("/recordings/<call_id>.wav", methods=["GET"], endpoint="recording"),
                Rule("/_sim/calls", methods=["GET"], endpoint="sim_calls"),
                Rule("/_sim/chats", methods=["GET"], endpoint="sim_chats"),
                Rule("/_sim/faults", methods=["GET"], endpoint="sim_faults"),
                Rule("/_sim/faults", methods=["POST"], endpoint="sim_set_faults"),
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
        self._stopped.set()
        super().stop()
        self._http.close()

    # -- test helpers --------------------------------------------------------------------------------------------

    def inject(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def set_faults(
        self,
        *,
        create_phone_call: CreatePhoneCallSwitch | None = None,
        webhooks: WebhooksSwitch | None = None,
        list_lag_seconds: float | None = None,
    ) -> dict[str, Any]:
        """Switch the account-wide faults (``None`` leaves a switch as it is); the switches now. ``create_phone_call``
        "401" or "402": every create-phone-call is refused with that status and places nothing, until "ok".
        ``webhooks`` "drop": no webhook is delivered, and the ones that fall due meanwhile are lost, as in an outage,
        until "deliver". ``list_lag_seconds``: list-calls shows a call only this long after it was placed (by the
        simulator's clock), until set back to 0."""
        if create_phone_call is not None and create_phone_call not in CREATE_PHONE_CALL_SWITCHES:
            raise ValueError(f"createPhoneCall must be one of {', '.join(CREATE_PHONE_CALL_SWITCHES)}")
        if webhooks is not None and webhooks not in WEBHOOKS_SWITCHES:
            raise ValueError(f"webhooks must be one of {', '.join(WEBHOOKS_SWITCHES)}")
        if list_lag_seconds is not None and (
            not isinstance(list_lag_seconds, int | float)
            or isinstance(list_lag_seconds, bool)
            or not 0 <= list_lag_seconds <= MAX_LIST_LAG_SECONDS
        ):
            raise ValueError(f"listLagSeconds must be a number of seconds from 0 to {MAX_LIST_LAG_SECONDS}")
        with self._lock:
            self._create_phone_call = create_phone_call or self._create_phone_call
            self._webhooks = webhooks or self._webhooks
            if list_lag_seconds is not None:
                self._list_lag = timedelta(seconds=list_lag_seconds)
            return self.faults()

    def faults(self) -> dict[str, Any]:
        """The account-wide switches, as ``GET /_sim/faults`` shows them."""
        with self._lock:
            lag = self._list_lag.total_seconds()
            return {
                "createPhoneCall": self._create_phone_call,
                "webhooks": self._webhooks,
                "listLagSeconds": int(lag) if lag.is_integer() else lag,
            }

    def requests(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._requests)

    def answering(self) -> int:
        """create-phone-call requests with an idempotency key being answered now (a slow or hanging one counts until
        its answer is sent): a repeat of one of their keys now would be a new call."""
        with self._lock:
            return sum(self._answering.values())

    def placed_call_ids(self) -> list[str]:
        """Calls actually placed (an idempotent repeat or a refused request places none): the number of dials."""
        with self._lock:
            return list(self._calls)

    def call(self, call_id: str) -> dict[str, Any]:
        """The call as get-call answers it now (its final state, a fresh recording link)."""
        with self._lock:
            return self._view(self._calls[call_id])

    def chat_requests(self) -> list[LoggedChatRequest]:
        """Every create-sms-chat request received, oldest first (``GET /_sim/chats``)."""
        with self._lock:
            return list(self._chat_requests)

    def chat(self, chat_id: str) -> dict[str, Any]:
        """The chat as get-chat answers it now."""
        with self._lock:
            return chats.view(self._chats[chat_id])

    def calls_to(self, to_number: str) -> list[dict[str, Any]]:
        """The calls placed to this exact number, oldest first, as get-call answers them."""
        with self._lock:
            return [self._view(c) for c in self._calls.values() if c.call["to_number"] == to_number]

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
        """Deliver every pending webhook now, in order; the receiver's status codes. While webhooks are switched to
        "drop", they are lost instead (and nothing is returned for them)."""
        statuses = []
        for webhook in self.take_pending():
            if self._dropping(webhook):
                continue
            statuses.append(self.deliver(webhook.body, url=webhook.url))
        return statuses

    def dropped(self) -> list[Webhook]:
        """The webhooks lost while switched to "drop", in the order they fell due."""
        with self._lock:
            return list(self._dropped)

    def deliver(self, body: str, signature: str | None = None, url: str | None = None) -> int:
        """POST one webhook body (signed now unless ``signature`` is given) to ``url`` or ``webhook_url``."""
        target = url or self.webhook_url
        if target is None:
            raise RuntimeError("the simulator has no webhook_url to deliver to")
        headers = {"content-type": "application/json", "x-retell-signature": signature or sign(body, self.api_key)}
        response = self._http.post(target, content=body.encode(), headers=headers)
        with self._lock:
            self._deliveries.append((json.loads(body).get("event", "?"), response.status_code))
        return response.status_code

    def deliveries(self) -> list[tuple[str, int]]:
        with self._lock:
            return list(self._deliveries)

    def _dropping(self, webhook: Webhook) -> bool:
        """Whether ``webhook``, falling due now, is lost to the "drop" switch (and record it if so)."""
        with self._lock:
            if self._webhooks != "drop":
                return False
            self._dropped.append(webhook)
        self._log(f"webhook {webhook.event} of {webhook.call_id} dropped (webhooks switched to drop)")
        return True

    # -- HTTP ----------------------------------------------------------------------------------------------------

    def _wsgi(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        try:
            endpoint, args = self._routes.bind_to_environ(environ).match()
            if endpoint.startswith("sim_") or endpoint == "recording" or self._authorized(request):
                response = getattr(self, f"_on_{endpoint}")(request, **args)
            else:
                response = _error(401, "Unauthorized: invalid API key")
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
        body = _body(request)
        if body is None:
            return _error(400, "Invalid JSON body")
        to_number, raw_key = body.get("to_number"), body.get("idempotency_key")
        key = str(raw_key) if raw_key else ""
        log = LoggedRequest(to_number, body.get("metadata"), 0, None, self._clock().isoformat(), raw_key)
        log.agent_id = body.get("override_agent_id") if isinstance(body.get("override_agent_id"), str) else None
        with self._lock:
            self._requests.append(log)  # logged on receipt: a request that hangs has still been received
            # Retell documents the key for retries of a finished request; a repeat while one is in flight is new.
            in_flight = bool(key) and self._answering[key] > 0
            if key:
                self._answering[key] += 1
        try:
            response = self._create(body, log, in_flight=in_flight)
        finally:
            if key:
                with self._lock:
                    self._answering[key] -= 1
                    if self._answering[key] <= 0:
                        del self._answering[key]
        log.status_code = response.status_code
        self._log(f"create-phone-call to={to_number} -> {response.status_code} {log.call_id or ''}")
        return response

    def _create(self, body: dict[str, Any], log: LoggedRequest, *, in_flight: bool = False) -> Response:
        with self._lock:
            account = _ACCOUNT_REFUSALS.get(self._create_phone_call)
        if account is not None:
            return _error(*account)
        to_number, from_number = body.get("to_number"), body.get("from_number")
        if not isinstance(to_number, str) or not isinstance(from_number, str):
            return _error(400, "from_number and to_number are required")
        agent_id = body.get("override_agent_id")
        if agent_id is not None and not str(agent_id).startswith("agent_"):
            return _error(422, "Cannot find requested asset under given api key.")
        if agent_id is not None and self._agents.channel(str(agent_id)) == "chat":
            return _error(400, "The agent must be a voice agent to place a phone call.")
        variables = body.get("retell_llm_dynamic_variables") or {}
        if not all(isinstance(value, str) for value in variables.values()):
            return _error(400, "All values in retell_llm_dynamic_variables must be strings")
        now = self._clock()
        key = body.get("idempotency_key")
        with self._lock:
            repeat_of = self._by_key.get(key) if key and not in_flight else None
        if repeat_of is not None and now - repeat_of[1] < IDEMPOTENCY_WINDOW:
            log.call_id = repeat_of[0]
            log.status_code = 201
            hang = self._take_fault("hang_after_create")
            if hang is not None:
                time.sleep(hang.delay_seconds)
            with self._lock:
                first = self._calls[log.call_id]
                log.agent_id = str(first.call["agent_id"])
                return _json(self._view(first), 201)
        if self._take_fault("error_before_create"):
            return _error(500, "Internal server error")
        with self._lock:
            earlier_requests = self._requests_to[to_number]
            self._requests_to[to_number] += 1
        refused = refusal(to_number, earlier_requests)
        if refused is not None:
            return _error(*refused)
        call_id = f"call_{uuid.uuid4().hex[:24]}"
        agent = self._agents.agent(str(agent_id)) if agent_id else None
        call = {
            "call_id": call_id,
            "call_type": "phone_call",
            "agent_id": agent_id or "agent_sim_default",
            "agent_version": agent["version"] if agent else 1,
            "call_status": "registered",
            "direction": "outbound",
            "from_number": from_number,
            "to_number": to_number,
            "metadata": body.get("metadata") or {},
            "retell_llm_dynamic_variables": variables,
        }
        if agent and agent.get("agent_name"):
            call["agent_name"] = agent["agent_name"]
        events = agent.get("webhook_events") if agent else None
        with self._lock:
            script = script_for(to_number, self._calls_to[to_number], now)
            self._calls_to[to_number] += 1
            self._calls[call_id] = SimCall(
                call,
                script,
                now,
                webhook_url=(agent or {}).get("webhook_url") or None,
                webhook_events=frozenset(events) if isinstance(events, list) else None,
            )
            if key and not in_flight:  # a repeat placed while the first was in flight does not take its key
                self._by_key[key] = (call_id, now)
            answer = dict(call)  # as placed, before it plays out
        log.call_id, log.agent_id = call_id, str(call["agent_id"])
        self._play(call_id)
        if slow_dial(to_number):
            log.status_code = 201  # placed; the answer is only slow
            self._stopped.wait(self.slow_dial_seconds)
        fault = self._take_fault("hang_after_create", "error_after_create")
        if fault is not None and fault.kind == "hang_after_create":
            log.status_code = 201  # answered, but after the client gave up
            time.sleep(fault.delay_seconds)
        elif fault is not None:
            return _error(fault.status, "Internal server error")
        log.status_code = 201
        return _json(answer, 201)

    def _on_get(self, request: Request, call_id: str) -> Response:
        slow = self._take_fault("slow_get_call")
        if slow is not None:
            self._stopped.wait(slow.delay_seconds)
        with self._lock:
            sim_call = self._calls.get(call_id)
            if sim_call is None:
                return _error(404, "Call not found")
            return _json(self._view(sim_call))

    def _on_delete(self, request: Request, call_id: str) -> Response:
        """retell-sdk's ``call.delete``: the call, its transcript and recording are gone (get-call ``404`` after);
        ``204``. A ``fail_delete`` fault answers its status instead, deleting nothing (Retell down)."""
        failing = self._take_fault("fail_delete")
        if failing is not None:
            return _error(failing.status, "Internal server error")
        with self._lock:
            if self._calls.pop(call_id, None) is None:
                return _error(404, "Call not found")
            self.deleted.append(call_id)
        self._log(f"delete-call {call_id}")
        return Response(status=204)

    def _on_list(self, request: Request) -> Response:
        body = _body(request)
        if body is None:
            return _error(400, "Invalid JSON body")
        refused = _list_refusal(body, None)
        if refused is not None:
            return refused
        criteria, order, skip = (
            body.get("filter_criteria") or {},
            body.get("sort_order", "descending"),
            body.get("skip", 0),
        )
        hidden = self._take_fault("hide_from_list") is not None
        with self._lock:
            listed_before = self._clock() - self._list_lag
            calls = (
                []
                if hidden
                else [self._view(c, listed=True) for c in self._calls.values() if c.created_at <= listed_before]
            )
        try:
            found = [call for call in calls if matches(call, criteria)]
            # By start time (a call that never connected has none: by when it was placed), oldest first if asked.
            found.sort(key=lambda call: int(call.get("start_timestamp") or call["_placed_ms"]))
            if order == "descending":
                found.reverse()
            items, more, key = page(found[skip:], "call_id", body.get("limit"), body.get("pagination_key"))
        except BadFilter as error:
            return _error(400, str(error))
        answer: dict[str, Any] = {
            "items": [{k: v for k, v in item.items() if k != "_placed_ms"} for item in items],
            "has_more": more,
            "pagination_key": key,
        }
        if body.get("include_total"):
            answer["total"] = len(found)
        return _json(answer)

    def _on_create_llm(self, request: Request) -> Response:
        body = _body(request)
        return _answer(self._agents.create_llm(body)) if body is not None else _error(400, "Invalid JSON body")

    def _on_update_llm(self, request: Request, llm_id: str) -> Response:
        body = _body(request)
        return _answer(self._agents.update_llm(llm_id, body)) if body is not None else _error(400, "Invalid JSON body")

    def _on_get_llm(self, request: Request, llm_id: str) -> Response:
        return _answer(self._agents.get_llm(llm_id))

    def _on_list_llms(self, request: Request) -> Response:
        return _answer(self._agents.list_llms(dict(request.args)))

    def _on_create_agent(self, request: Request) -> Response:
        body = _body(request)
        return _answer(self._agents.create_agent(body)) if body is not None else _error(400, "Invalid JSON body")

    def _on_update_agent(self, request: Request, agent_id: str) -> Response:
        body = _body(request)
        if body is None:
            return _error(400, "Invalid JSON body")
        return _answer(self._agents.update_agent(agent_id, body))

    def _on_get_agent(self, request: Request, agent_id: str) -> Response:
        return _answer(self._agents.get_agent(agent_id))

    def _on_list_agents(self, request: Request) -> Response:
        body = _body(request)
        if body is None:
            return _error(400, "Invalid JSON body")
        return _answer(self._agents.list_agents(dict(request.args), body))

    # -- texts (SMS chats) ----------------------------------------------------------------------------------------

    def _on_create_sms_chat(self, request: Request) -> Response:
        """retell-sdk's ``chat.create_sms_chat``: ``201`` with the chat, started; its texts and webhooks follow."""
        body = _body(request)
        if body is None:
            return _error(400, "Invalid JSON body")
        to_number, override = body.get("to_number"), body.get("override_agent_id")
        log = LoggedChatRequest(
            to_number if isinstance(to_number, str) else None,
            body.get("metadata"),
            0,
            None,
            override if isinstance(override, str) else None,
            self._clock().isoformat(),
        )
        with self._lock:
            self._chat_requests.append(log)
        response = self._create_sms_chat(body, log)
        log.status_code = response.status_code
        self._log(f"create-sms-chat to={to_number} -> {response.status_code} {log.chat_id or ''}")
        return response

    def _create_sms_chat(self, body: dict[str, Any], log: LoggedChatRequest) -> Response:
        to_number, from_number = body.get("to_number"), body.get("from_number")
        if not isinstance(to_number, str) or not isinstance(from_number, str) or not to_number or not from_number:
            return _error(400, "from_number and to_number are required")
        agent_id = body.get("override_agent_id")
        if agent_id is not None and not (isinstance(agent_id, str) and agent_id.startswith("agent_")):
            return _error(422, "Cannot find requested asset under given api key.")
        if agent_id is not None and self._agents.channel(agent_id) == "voice":
            return _error(400, "The agent must be a chat agent to start an SMS chat.")
        variables = body.get("retell_llm_dynamic_variables") or {}
        if not isinstance(variables, dict) or not all(isinstance(value, str) for value in variables.values()):
            return _error(400, "All values in retell_llm_dynamic_variables must be strings")
        if not isinstance(body.get("honor_internal_dnc", False), bool):
            return _error(400, "honor_internal_dnc must be a boolean")
        version = body.get("override_agent_version")
        if version is not None and (isinstance(version, bool) or not isinstance(version, int | str)):
            return _error(400, "override_agent_version must be an integer or a string")
        failing = self._take_fault("fail_create_sms_chat")
        if failing is not None:
            return _error(failing.status, "Internal server error")
        agent = self._agents.agent(agent_id, "chat") if agent_id else None
        now = self._clock()
        chat_id = f"chat_{uuid.uuid4().hex[:24]}"
        chat = chats.new_chat(
            chat_id, agent_id or "agent_sim_chat_default", int(agent["version"]) if agent else 1, body, now
        )
        events = agent.get("webhook_events") if agent else None
        silence = agent.get("end_chat_after_silence_ms") if agent else None
        sim_chat = chats.SimChat(
            chat,
            chat_script_for(to_number),
            now,
            from_number,
            to_number,
            webhook_url=(agent or {}).get("webhook_url") or None,
            webhook_events=frozenset(events) if isinstance(events, list) else None,
            silence_ms=silence if isinstance(silence, int) and silence > 0 else chats.DEFAULT_SILENCE_MS,
        )
        answer = chats.view(sim_chat)  # as started, before it plays out
        with self._lock:
            self._chats[chat_id] = sim_chat
            for event, snapshot in chats.play(sim_chat):
                if event in (sim_chat.webhook_events or chats.DEFAULT_EVENTS):
                    payload = json.dumps({"event": event, "chat": snapshot}, separators=(",", ":"))
                    self._enqueue(Webhook(event, payload, chat_id, url=sim_chat.webhook_url))
        log.chat_id, log.agent_id = chat_id, str(chat["agent_id"])
        failing = self._take_fault("error_after_create_sms_chat")
        if failing is not None:  # started, but the answer is lost: the caller cannot tell
            return _error(failing.status, "Internal server error")
        return _json(answer, 201)

    def _on_get_chat(self, request: Request, chat_id: str) -> Response:
        with self._lock:
            sim_chat = self._chats.get(chat_id)
            return _json(chats.view(sim_chat)) if sim_chat is not None else _error(404, "Chat not found")

    def _on_delete_chat(self, request: Request, chat_id: str) -> Response:
        """retell-sdk's ``chat.delete``: the chat and its transcript are gone (get-chat ``404`` after); ``204``. A
        ``fail_delete`` fault answers its status instead, deleting nothing."""
        failing = self._take_fault("fail_delete")
        if failing is not None:
            return _error(failing.status, "Internal server error")
        with self._lock:
            if self._chats.pop(chat_id, None) is None:
                return _error(404, "Chat not found")
            self.deleted_chats.append(chat_id)
        self._log(f"delete-chat {chat_id}")
        return Response(status=204)

    def _on_list_chats(self, request: Request) -> Response:
        """retell-sdk's ``chat.list``: as list-calls, with ``chat_list_params``' filters (no metadata filter)."""
        body = _body(request)
        if body is None:
            return _error(400, "Invalid JSON body")
        refused = _list_refusal(body, CHATS)
        if refused is not None:
            return refused
        criteria, order, skip = (
            body.get("filter_criteria") or {},
            body.get("sort_order", "descending"),
            body.get("skip", 0),
        )
        with self._lock:
            listed_before = self._clock() - self._list_lag
            listed = [chats.view(c, listed=True) for c in self._chats.values() if c.created_at <= listed_before]
        found = [chat for chat in listed if matches(chat, criteria, CHATS)]
        found.sort(key=lambda chat: int(chat["start_timestamp"]))
        if order == "descending":
            found.reverse()
        try:
            items, more, key = page(found[skip:], "chat_id", body.get("limit"), body.get("pagination_key"))
        except BadFilter as error:
            return _error(400, str(error))
        answer: dict[str, Any] = {
            "items": [{k: v for k, v in item.items() if k not in chats.HIDDEN} for item in items],
            "has_more": more,
            "pagination_key": key,
        }
        if body.get("include_total"):
            answer["total"] = len(found)
        return _json(answer)

    def _on_create_chat_agent(self, request: Request) -> Response:
        body = _body(request)
        return _answer(self._agents.create_chat_agent(body)) if body is not None else _error(400, "Invalid JSON body")

    def _on_update_chat_agent(self, request: Request, agent_id: str) -> Response:
        body = _body(request)
        if body is None:
            return _error(400, "Invalid JSON body")
        return _answer(self._agents.update_chat_agent(agent_id, body))

    def _on_get_chat_agent(self, request: Request, agent_id: str) -> Response:
        return _answer(self._agents.get_chat_agent(agent_id))

    def _on_delete_chat_agent(self, request: Request, agent_id: str) -> Response:
        answer = self._agents.delete_chat_agent(agent_id)
        return Response(status=204) if answer.status == 204 else _answer(answer)

    def _on_sim_chats(self, request: Request) -> Response:
        return _json([asdict(entry) for entry in self.chat_requests()])

    def _on_recording(self, request: Request, call_id: str) -> Response:
        expires, nonce = request.args.get("expires", ""), request.args.get("nonce", "")
        expected = self._link_signature(call_id, expires, nonce)
        if not hmac.compare_digest(request.args.get("signature", ""), expected):
            return Response("AccessDenied: bad signature", status=403, mimetype="text/plain")
        if not expires.isdigit() or int(expires) <= self._clock().timestamp():
            return Response("AccessDenied: request has expired", status=403, mimetype="text/plain")
        with self._lock:
            if call_id not in self._calls:
                return Response("NoSuchKey", status=404, mimetype="text/plain")
        return Response(self._wav, mimetype="audio/wav")

    def _on_sim_calls(self, request: Request) -> Response:
        entries = [{k: v for k, v in asdict(entry).items() if k != "idempotency_key"} for entry in self.requests()]
        return _json(entries)

    def _on_sim_faults(self, request: Request) -> Response:
        return _json(self.faults())

    def _on_sim_set_faults(self, request: Request) -> Response:
        body = _body(request)
        if not body or set(body) - {"createPhoneCall", "webhooks", "listLagSeconds"}:
            return _error(
                400,
                'Send {"createPhoneCall": "ok" | "401" | "402"}, {"webhooks": "deliver" | "drop"} and/or '
                '{"listLagSeconds": N}',
            )
        try:
            return _json(
                self.set_faults(
                    create_phone_call=body.get("createPhoneCall"),
                    webhooks=body.get("webhooks"),
                    list_lag_seconds=body.get("listLagSeconds"),
                )
            )
        except ValueError as error:
            return _error(400, str(error))

    def _on_sim_health(self, request: Request) -> Response:
        with self._lock:
            pending = sum(len(queue) for queue in self._outbox.values()) + self._in_delivery
            body = {
                "status": "ok",
                "callsPlaced": len(self._calls),
                "chatsStarted": len(self._chats),
                "webhooksPending": pending,
                "webhooksDropped": len(self._dropped),
            }
        return _json(body)

    # -- placing calls -------------------------------------------------------------------------------------------

    def _view(self, sim_call: SimCall, *, listed: bool = False) -> dict[str, Any]:
        """Under the lock: the call as get-call (or, ``listed``, list-calls) answers it now."""
        view = dict(sim_call.call)
        if "transcript" in view:  # a call that has ended with a conversation has a recording, signed afresh
            view["recording_url"] = self._recording_link(view["call_id"])
        if listed:
            view = {k: v for k, v in view.items() if k not in NOT_LISTED}
            view["_placed_ms"] = _epoch_ms(sim_call.created_at)  # the sort key of a call with no start
        return view

    def _recording_link(self, call_id: str) -> str:
        """A signed link to the call's recording that expires as Retell's do, different each time it is asked for."""
        expires = str(int((self._clock() + RECORDING_LINK_LIFETIME).timestamp()))
        nonce = f"{next(self._link_numbers):x}"
        signature = self._link_signature(call_id, expires, nonce)
        return f"{self.url}/recordings/{call_id}.wav?" + urlencode(
            {"expires": expires, "nonce": nonce, "signature": signature}
        )

    def _link_signature(self, call_id: str, expires: str, nonce: str) -> str:
        message = f"{call_id}:{expires}:{nonce}".encode()
        return hmac.new(self.api_key.encode(), message, hashlib.sha256).hexdigest()[:32]

    def _play(self, call_id: str) -> None:
        """Play the call's script: update the call object and queue its webhooks (each a snapshot of the call)."""
        with self._lock:
            sim_call = self._calls[call_id]
            call, script = sim_call.call, sim_call.script
            start = sim_call.created_at + timedelta(seconds=2)
            end = start + timedelta(seconds=script.duration_seconds or 25)
            if script.connects:
                call.update(call_status="ongoing", start_timestamp=_epoch_ms(start))
                self._queue("call_started", sim_call)
            call.update(
                call_status=script.call_status,
                end_timestamp=_epoch_ms(end),
                disconnection_reason=script.disconnection_reason,
                duration_ms=int((end - start).total_seconds() * 1000) if script.connects else 0,
            )
            if script.transcript is not None:
                call.update(
                    transcript=script.transcript,
                    transcript_object=_transcript_object(script.transcript),
                )
            self._queue("call_ended", sim_call)
            analysis: dict[str, Any] = {
                "call_summary": script.summary,
                "user_sentiment": script.sentiment,
                "call_successful": script.successful,
                "in_voicemail": script.in_voicemail,
            }
            if script.custom_analysis is not None:
                analysis["custom_analysis_data"] = dict(script.custom_analysis)
            call["call_analysis"] = analysis
            self._queue("call_analyzed", sim_call)

    def _queue(self, event: str, sim_call: SimCall) -> None:
        """Under the lock: queue ``event`` with a snapshot of the call as it is now, unless Retell would not send it
        (a call whose webhooks are lost, an event the agent does not subscribe to)."""
        if not sim_call.script.webhooks or (
            sim_call.webhook_events is not None and event not in sim_call.webhook_events
        ):
            return
        call = self._view(sim_call)
        call_id = str(call["call_id"])
        body = json.dumps({"event": event, "call": call}, separators=(",", ":"))
        self._enqueue(Webhook(event, body, call_id, url=sim_call.webhook_url))

    def _enqueue(self, webhook: Webhook) -> None:
        """Under the lock: queue a webhook behind its call's (or chat's) others."""
        self._outbox.setdefault(webhook.call_id, deque()).append(webhook)
        if self._auto_deliver and webhook.call_id not in self._turns:
            self._take_turn(webhook.call_id, time.monotonic() + self._step)

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
        ``step`` apart; a failed delivery is retried ``step`` later, up to three times, as Retell does. A webhook
        that falls due while webhooks are switched to "drop" is lost, and the call's next one follows a step later."""
        while (taken := self._next_due()) is not None:
            call_id, turn, webhook = taken
            failed = False
            if not self._dropping(webhook):
                try:
                    status = self.deliver(webhook.body, url=webhook.url)
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


def _list_refusal(body: dict[str, Any], table: FilterTable | None) -> Response | None:
    """The ``400`` a list-calls (``table`` ``None``) or list-chats body earns, as Retell refuses one retell-sdk's
    types do not allow; ``None`` for a body it accepts."""
    unknown = set(body) - LIST_PARAMS
    if unknown:
        return _error(400, f"Unknown fields: {', '.join(sorted(unknown))}")
    try:
        check(body.get("filter_criteria") or {}, table)
    except BadFilter as error:
        return _error(400, str(error))
    if not isinstance(body.get("include_total", False), bool):
        return _error(400, "include_total must be a boolean")
    if not isinstance(body.get("pagination_key", ""), str):
        return _error(400, "pagination_key must be a string")
    if body.get("sort_order", "descending") not in {"ascending", "descending"}:
        return _error(400, "sort_order must be ascending or descending")
    skip = body.get("skip", 0)
    if not isinstance(skip, int) or isinstance(skip, bool) or skip < 0:
        return _error(400, "skip must be a non-negative integer")
    return None
