"""The base of every wire model."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class WireModel(BaseModel):
    """Base of every wire model: frozen, and tolerant of fields added by newer servers."""

    model_config = ConfigDict(frozen=True, extra="ignore")
