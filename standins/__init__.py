"""Stand-ins for what the system runs against, shared by the local stack (``local/``), the tests, ``make invoke``
and the benchmarks: moto's AWS resources shaped by the synthesized stack, API Gateway's events and authorizer
(the local gateway, local tokens), the simulated Retell, a scheduler loop that fires due schedules, and the
functions' graphs wired over them. Nothing here is deployed."""
