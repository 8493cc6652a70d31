"""A simulated Retell: a real HTTP server speaking Retell's wire protocol, for the tests and the local stack."""

from standins.retell_sim.server import Fault, RetellSimulator

__all__ = ["Fault", "RetellSimulator"]
