"""The composition root: each function's services, built from explicit inputs (config, clients, clock).

One module per function's graph (``api``, ``execute``, ``retell_webhook``, ``reconcile``, ``notices``), over
what the graphs share (``common``: the storage every graph but ``notices`` stands on, Retell's keys and clients,
secrets, the environment check). Each module's ``build_*`` is pure wiring: it takes everything it uses. Its
``*_from_environment`` supplies what a Lambda container has (the validated environment, boto3 clients, secrets read
through Powertools' cache, the wall clock); each handler builds its graph once per container with it. Tests and the
local stack build their own graphs (a frozen clock, an in-process execute invoker).

A handler imports its own graph's module and nothing else from here: a container loads (and builds the pydantic
models of) the code its function runs, not the other functions' services.
"""
