"""The composition root, the one place the services are wired: each function's services, built from explicit
inputs (config, stores, clock).

One module per function's graph (``api``, ``execute``, ``retell_webhook``, ``reconcile``, ``notices``), over what
the graphs share (``common``: the ``Stores`` every graph but the notices function's stands on and the
``CommonServices`` built first over them, Retell's keys, secrets, the environment check). Each module's ``build_*``
is pure wiring: it takes everything it uses, the stores among them. Its ``*_from_environment`` supplies what a
Lambda container has (the validated environment, the DynamoDB and Scheduler stores on boto3 clients, secrets read
through Powertools' cache, the wall clock); each handler builds its graph once per container with it. The unit tests
build their graphs with the same ``build_*``, on in-memory fakes, a frozen clock, fixed ids and a seeded rng
(``tests/support/graph.py``); the local stack and the integration tests through ``*_from_environment`` on moto (with
an in-process execute invoker).

A handler imports its own graph's module and nothing else from here: a container loads (and builds the pydantic
models of) the code its function runs, not the other functions' services.
"""
