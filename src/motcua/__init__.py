"""motcua — electronic one-stop system for Vietnamese public agencies."""

__version__ = "0.1.0"
