"""netmon: network and security operations monitor for a four-tier e-government network."""

__version__ = "0.1.0"
