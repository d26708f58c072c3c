"""Base classes shared by every contract: frozen, camelCase on the wire, additive evolution."""

import msgspec


class Message(msgspec.Struct, frozen=True, rename="camel", kw_only=True, omit_defaults=False):
    """A bus message: immutable, camelCase keys, unknown fields ignored so contracts can grow."""


class Tagged(Message, frozen=True, tag_field="type", kw_only=True):
    """A member of a tagged union: the `type` key names the struct."""
