"""What every ``commerce-stats`` command group shares: plain help and markup-free output.

Typer's defaults get in the way of a command line whose messages and help texts are
full of square brackets (``condition[dynamicdate]=lastmonth``): Rich markup swallows
them, and every parameter is labelled with its Python type (``<str>``, ``<bool>``).
Here help is rendered the plain click way (paragraphs re-wrapped to the terminal),
value options show their metavar (``--report REPORT``), flags and arguments show no
type, and consoles never read markup from the text they print.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer
from rich.console import Console
from typer import _click as click  # the click that typer runs on (vendored)
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption
from typer.models import CommandFunctionType


class _OptionWithoutType(TyperOption):
    def display_type_rich(self, ctx: click.Context) -> str | None:
        if self.is_flag or self.count:
            return None
        return self.metavar or (self.name or "value").upper()


class _ArgumentWithoutType(TyperArgument):
    def display_type_rich(self, ctx: click.Context) -> str | None:
        return None


def _without_types(param: click.Parameter) -> click.Parameter:
    """The same parameter, labelled by its name instead of its Python type."""
    if type(param) is TyperOption:
        param.__class__ = _OptionWithoutType
    elif type(param) is TyperArgument:
        param.__class__ = _ArgumentWithoutType
    return param


class _ParametersWithoutTypes(click.Command):
    """Mixed into typer's command and group: every parameter, help included, without types."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params = [_without_types(param) for param in self.params]

    def get_help_option(self, ctx: click.Context) -> TyperOption | None:
        option = super().get_help_option(ctx)
        if option is not None:
            _without_types(option)
        return option


class _Command(_ParametersWithoutTypes, TyperCommand):
    pass


class _Group(_ParametersWithoutTypes, TyperGroup):
    pass


class CommandApp(typer.Typer):
    """A ``typer.Typer`` with plain help whose commands label parameters without types."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("rich_markup_mode", None)
        kwargs.setdefault("cls", _Group)
        super().__init__(**kwargs)

    def command(
        self, name: str | None = None, **kwargs: Any
    ) -> Callable[[CommandFunctionType], CommandFunctionType]:
        kwargs.setdefault("cls", _Command)
        return super().command(name, **kwargs)


def plain_console() -> Console:
    """A console that prints text as given: no markup, no highlighting, no hard wraps."""
    return Console(markup=False, highlight=False, soft_wrap=True)


def print_error(console: Console, message: str) -> None:
    """``message`` in red, brackets and all."""
    console.print(message, style="red", markup=False, highlight=False)
