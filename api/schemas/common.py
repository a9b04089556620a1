"""Base models: camelCase on the wire; requests refuse unknown fields (no smuggled `role`)."""

from __future__ import annotations

import re
from datetime import time
from typing import Annotated, Any, ClassVar, Generic, TypeVar
from uuid import UUID

import orjson
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)
from pydantic.alias_generators import to_camel

T = TypeVar("T")


def write_json(content: Any) -> bytes:
    """JSON exactly as pydantic writes our response models (UTC instants with `Z`, UUIDs as text), for
    the hot reads whose answers are written straight from domain objects (a page of 50 signals, a
    feed page of 500 changes): building and validating the models cost a third of such a request.
    Each such writer has a test that holds it byte for byte equal to the model's serialisation."""
    return orjson.dumps(content, option=orjson.OPT_UTC_Z, default=_uuid_text)


def write_page(items: list[Any], next_cursor: str | None) -> bytes:
    """A PageOf written by write_json: its items (already as dicts) and the next page's cursor."""
    return write_json({"items": items, "nextCursor": next_cursor})


def _uuid_text(value: Any) -> str:
    # asyncpg hands out its own UUID subclass, which orjson does not take as a UUID.
    if isinstance(value, UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


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


class ApiPatch(ApiInput):
    """A partial update: leave a field out to keep it; only the fields in `nullable` may be cleared
    with an explicit null (a null name is a 400, not a database error)."""

    nullable: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.nullable:
            raise ValueError("may not be null; leave the field out to keep its value")
        return value


TIME_OF_DAY = r"^([01]\d|2[0-3]):[0-5]\d$"


def _time_of_day(value: Any) -> Any:
    if isinstance(value, str):
        if not re.match(TIME_OF_DAY, value):
            raise ValueError("must be a time of day as HH:MM, e.g. 09:30")
        return time.fromisoformat(value)
    return value


# A local time of day (Europe/Amsterdam) on the wire as "HH:MM"; the ADR rules out format `time`.
TimeOfDay = Annotated[
    time,
    BeforeValidator(_time_of_day),
    PlainSerializer(lambda t: t.strftime("%H:%M"), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": TIME_OF_DAY, "examples": ["09:30"]}),
]


class PageOf(ApiModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        default=None, description="Pass as `cursor` for the next page; also in the `Link` header."
    )
