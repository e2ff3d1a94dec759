"""Console output of the command line: text is printed as given."""

from __future__ import annotations

from rich.console import Console

from commerce_stats.kit.cli import plain_console, print_error


def test_print_error_keeps_square_brackets() -> None:
    console = Console(record=True, width=200)
    print_error(console, "known: condition[dynamicdate], condition[l:status]")
    assert console.export_text() == "known: condition[dynamicdate], condition[l:status]\n"


def test_plain_console_reads_no_markup() -> None:
    console = plain_console()
    with console.capture() as captured:
        console.print("[bold]x[/bold] [red]")
    assert captured.get() == "[bold]x[/bold] [red]\n"
