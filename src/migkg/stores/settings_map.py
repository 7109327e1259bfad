"""Policies read from the settings: each field names the setting (``MIGKG_<NAME>``) it comes from.

>>> from dataclasses import dataclass
>>> @dataclass(frozen=True)
... class Policy(FromSettings):
...     wait_s: float = setting("max_wait_s", 1.0)
>>> from migkg.config import Settings
>>> Policy.from_settings(Settings(max_wait_s=3))
Policy(wait_s=3.0)
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, Self

if TYPE_CHECKING:
    from migkg.config import Settings


def setting(name: str, default: Any) -> Any:
    """A dataclass field with ``default``, read from the setting ``name`` by ``from_settings``."""
    return dataclasses.field(default=default, metadata={"setting": name})


class FromSettings:
    """Mixin for a dataclass whose fields are :func:`setting` fields."""

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        """The policy the settings describe."""
        fields = dataclasses.fields(cls)  # type: ignore[arg-type]
        return cls(**{f.name: getattr(settings, f.metadata["setting"]) for f in fields
                      if "setting" in f.metadata})
