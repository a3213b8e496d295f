"""capmap's command line: thin click commands that parse paths, load params and call
plain functions of the step modules."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline import __version__
from pipeline.params import ParamsError, load_params
from pipeline.taxonomy import load_taxonomy

PARAMS_OPTION = click.option(
    "--params",
    "params_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Params file (default: ./params.yaml, else built-in defaults).",
)


def _load(params_path: Path | None):
    try:
        return load_params(params_path)
    except ParamsError as exc:
        raise click.UsageError(str(exc)) from exc


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="capmap")
def main() -> None:
    """capmap: which areas of migration management do policies and laws address?

    Reads French and English PDF policy documents and legislation, splits them into
    paragraphs and articles, tags each unit with the A-I capacity areas using a trained
    classifier, and builds coverage and gap matrices with the evidence behind each cell.

    \b
    Example:
      capmap run corpus/samples -o out --metadata corpus/samples/metadata.csv
    """


@main.command("taxonomy")
@click.option("--json", "as_json", is_flag=True, help="Print the taxonomy as JSON.")
def taxonomy_cmd(as_json: bool) -> None:
    """Print the A-I capacity areas (codes, English and French titles, scope).

    \b
    Example:
      capmap taxonomy --json
    """
    import json
    from dataclasses import asdict

    tax = load_taxonomy()
    if as_json:
        click.echo(json.dumps(asdict(tax), ensure_ascii=False, indent=2))
        return
    click.echo(f"A-I capacity taxonomy, version {tax.version}")
    for a in tax.areas:
        click.echo(f"\n{a.code}  {a.short}\n   EN: {a.title_en}\n   FR: {a.title_fr}\n   {a.scope}")


# --- step commands are added below, one per step, each thin over its module ---
