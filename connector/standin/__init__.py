"""An offline stand-in for the randomuser.me API (v1.4): same shape, same quirks, no network."""

from connector.standin.generator import generate_page
from connector.standin.server import Fault, StandIn, StandInStats

__all__ = ["Fault", "StandIn", "StandInStats", "generate_page"]
