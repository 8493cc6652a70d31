"""The local stack: stand-ins for what the deployed system talks to (Retell, API Gateway, Scheduler)."""
