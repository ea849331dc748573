"""The registered methods, in order of preference for ``method="auto"``."""

from __future__ import annotations

from .protocol import Method

__all__ = ["METHODS", "register", "unregister", "get_method", "capable"]

#: name -> method object, in order of preference for ``method="auto"``
METHODS: dict[str, Method] = {}


def register(method: Method, *, position: int | None = None) -> Method:
    """Make ``method`` available by name and to ``method="auto"``.

    Parameters
    ----------
    method : Method
        An instance of a :class:`~sf_dynamics.methods.protocol.Method` subclass.
    position : int, optional
        Its place in the order of preference (default: last).

    Returns
    -------
    Method
        ``method`` (so that registration can be one line).

    Raises
    ------
    ValueError
        If it is not a Method, has no name, or the name is taken.
    """
    if not isinstance(method, Method) or not method.name:
        raise ValueError(f"method must be an instance of a named Method subclass, got {method!r}")
    if method.name in METHODS or method.name == "auto":
        raise ValueError(f"a method named {method.name!r} is already registered")
    items = list(METHODS.items())
    items.insert(len(items) if position is None else position, (method.name, method))
    METHODS.clear()
    METHODS.update(items)
    return method


def unregister(name: str) -> None:
    """Remove a registered method (tests of new methods clean up with it)."""
    METHODS.pop(name, None)


def get_method(name, quantity: str = "evolution") -> Method:
    """The registered method ``name`` (case-insensitive) that computes ``quantity``.

    Raises
    ------
    ValueError
        ``method must be one of [...]`` listing the methods that compute ``quantity``.
    """
    names = ["auto", *capable(quantity)]
    if not isinstance(name, str):
        raise ValueError(f"method must be a string, one of {names}, got {name!r}")
    method = METHODS.get(name.lower())
    if method is None or not method.supports(quantity):
        raise ValueError(f"method must be one of {names}, got {name!r}")
    return method


def capable(quantity: str) -> list[str]:
    """Names of the registered methods that compute ``quantity``."""
    return [name for name, method in METHODS.items() if method.supports(quantity)]
