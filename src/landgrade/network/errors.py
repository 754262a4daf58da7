"""The error of the network stage: a layer that cannot be used, or a name it does not hold."""

from __future__ import annotations

from landgrade.errors import LandgradeError


class NetworkError(LandgradeError):
    """A network layer is unusable or a name is unknown; the message names the file or name."""
