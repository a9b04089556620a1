"""Base models: camelCase on the wire; requests refuse unknown fields (no smuggled `role`)."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

T = TypeVar("T")


class ApiModel(BaseModel):
    """A response model."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, from_attributes=True)


class ApiInput(BaseModel):
    """A request model: unknown fields are a 400, strings are trimmed."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", str_strip_whitespace=True
    )

    def changes(self) -> dict[str, object]:
        """The fields the client actually sent, by Python name (for PATCH)."""
        return self.model_dump(exclude_unset=True)


class PageOf(ApiModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        default=None, description="Pass as `cursor` for the next page; also in the `Link` header."
    )
