"""capmap's command line: thin click commands that parse paths, load params and call
plain functions of the step modules."""

from __future__ import annotations

import errno
from pathlib import Path

import click

from pipeline import __version__
from pipeline.params import ParamsError, load_params
from pipeline.schema import GROUPINGS
from pipeline.taxonomy import load_taxonomy


class InputProblem(click.ClickException):
    """A user mistake in an input (missing path, malformed file): one line, exit code 2."""

    exit_code = 2


BY_OPTION = click.option(
    "--by",
    type=click.Choice(list(GROUPINGS)),
    default="document",
    show_default=True,
    help="Rows of the matrices: documents, or documents grouped by a metadata column.",
)

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


class CapmapGroup(click.Group):
    """capmap's command group: an operating-system error that escapes a command (an output
    folder that cannot be created, a read-only or full disk) ends it with capmap's one-line
    error naming the path, not a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except OSError as exc:
            if exc.errno == errno.EPIPE:  # output piped into `head`: click handles it
                raise
            where = exc.filename if exc.filename is not None else "capmap"
            raise click.ClickException(f"{where}: {exc.strerror or exc}") from exc


@click.group(cls=CapmapGroup, context_settings={"help_option_names": ["-h", "--help"]})
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


DEFAULT_MODEL_DIR = Path("models/default")


def _model_option(f):
    return click.option(
        "--model",
        "model_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Model folder (default: ./models/default, the shipped model).",
    )(f)


def _resolve_model_dir(model_dir: Path | None) -> Path:
    """The model folder to use: the one named, else ./models/default."""
    if model_dir is not None:
        return model_dir
    if not DEFAULT_MODEL_DIR.is_dir():
        raise click.ClickException(
            f"{DEFAULT_MODEL_DIR}: no model here; run from the capmap checkout or pass --model DIR"
        )
    return DEFAULT_MODEL_DIR


def _load_model(model_dir: Path | None):
    from pipeline.model import ModelError, load_model

    try:
        return load_model(_resolve_model_dir(model_dir))
    except ModelError as exc:
        raise click.ClickException(str(exc)) from exc


def _optional_data_options(name: str, help_text: str, off_help: str):
    """The option pair of an optional training data set: ``--NAME PATH`` and ``--no-NAME``
    (resolved against params by ``_optional_data``)."""
    def decorate(command):
        command = click.option(f"--no-{name}", is_flag=True, help=off_help)(command)
        return click.option(f"--{name}", type=click.Path(exists=True, path_type=Path),
                            default=None, help=help_text)(command)
    return decorate


def _optional_data(given: Path | None, off: bool, configured: str) -> Path | None:
    """An optional training data set: none when switched off, else the path given on the
    command line, else the one in params ("" = none)."""
    if off:
        return None
    return given or (Path(configured) if configured else None)


@main.command("train")
@click.option(
    "--annotations",
    type=click.Path(exists=True, path_type=Path),
    default=None,
    help="Annotation JSONL file or folder (default: params train.annotations).",
)
@_optional_data_options(
    "relevance-annotations",
    "Units that train only the relevance classifier, e.g. general law with no area "
    "(default: params train.relevance_annotations).",
    "Train the relevance classifier on the annotations alone.",
)
@_optional_data_options(
    "short-annotations",
    "One-line provisions that, with the annotations, train the short-unit classifiers "
    "(default: params train.short_annotations).",
    "No short-unit classifiers: the main ones decide units of every length.",
)
@click.option(
    "-o",
    "--out",
    "model_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_MODEL_DIR,
    show_default=True,
    help="Model folder to write.",
)
@PARAMS_OPTION
def train_cmd(annotations: Path | None, relevance_annotations: Path | None,
              no_relevance_annotations: bool, short_annotations: Path | None,
              no_short_annotations: bool, model_dir: Path,
              params_path: Path | None) -> None:
    """Train the A-I classifier on annotated units and save it with its model card.

    Cross-validates to choose per-area thresholds, the fill ratio (when a long unit with
    no area gets its best one) and the relevance gate (when a unit unlikely to address
    any area gets none), fits on all units, and writes model.skops, meta.json and
    model_card.md. The relevance annotations train only the relevance classifier; the
    short annotations (one-line provisions) train, with the annotations, a second set of
    classifiers that decides units of a few words (params train.short_unit_max_words).

    \b
    Example:
      capmap train --annotations corpus/annotations \\
        --relevance-annotations corpus/relevance \\
        --short-annotations corpus/short_provisions -o models/default
    """
    from pipeline.annotations import AnnotationError
    from pipeline.model import SHORT_UNITS_KEY, model_id_of
    from pipeline.train import train

    params = _load(params_path).train
    try:
        meta = train(annotations or Path(params.annotations), model_dir, params,
                     _optional_data(relevance_annotations, no_relevance_annotations,
                                    params.relevance_annotations),
                     _optional_data(short_annotations, no_short_annotations,
                                    params.short_annotations))
    except AnnotationError as exc:
        raise InputProblem(str(exc)) from exc
    cv = meta["cv"]["summary"]
    click.echo(
        f"trained on {meta['training_data']['units']} units"
        + (f" (+{meta['relevance_data']['units']} for relevance)" if meta["relevance_data"] else "")
        + (f" (+{short['training_data']['units']} short provisions for the short-unit "
           "classifiers)" if (short := meta.get(SHORT_UNITS_KEY)) else "")
        + f" in {meta['train_seconds']} s; "
        f"CV micro-F1 {cv['micro_f1']:.3f} macro-F1 {cv['macro_f1']:.3f}; "
        f"model {model_id_of(meta)} written to {model_dir}/"
    )


@main.command("evaluate")
@click.option(
    "--gold",
    type=click.Path(path_type=Path),
    required=True,
    help="JSONL of labelled units: text, lang, labels.",
)
@_model_option
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@click.option(
    "-o",
    "--out",
    "out_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the result as JSON to this file (e.g. metrics.json).",
)
@click.option(
    "--card",
    is_flag=True,
    help="Store the result as the model's metrics.json and re-render its model card.",
)
@click.option(
    "--units",
    "units_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write one CSV row per gold unit (gold, predicted, missed and extra areas, "
    "probabilities, explanation terms, text), for error study.",
)
@PARAMS_OPTION
def evaluate_cmd(
    gold: Path, model_dir: Path | None, as_json: bool, out_file: Path | None, card: bool,
    units_file: Path | None, params_path: Path | None,
) -> None:
    """Score a model on a gold file: per-area P/R/F1, micro/macro F1, per language.

    Macro-F1 is the mean over the areas that have at least one gold unit; the areas
    left out are named.

    \b
    Example:
      capmap evaluate --gold ../shared/eval/dev.jsonl --json
      capmap evaluate --gold ../shared/eval/dev.jsonl --units dev_units.csv
    """
    import json

    from pipeline.annotations import AnnotationError
    from pipeline.card import METRICS_FILE, write_model_card
    from pipeline.evaluate import evaluate_with_units, format_report
    from pipeline.export import write_csv

    params = _load(params_path)
    top_terms = params.train.explain_top_terms if units_file else None
    model = _load_model(model_dir)
    try:
        result, table = evaluate_with_units(model, gold, top_terms, params.tag.no_area_kinds)
    except AnnotationError as exc:
        raise InputProblem(str(exc)) from exc
    if table is not None:
        write_csv(table, units_file)  # gold text may open like a formula: escaped
    text = json.dumps(result, indent=2, ensure_ascii=False)
    if out_file:
        out_file.parent.mkdir(parents=True, exist_ok=True)
        out_file.write_text(text + "\n", encoding="utf-8")
    if card:
        (model.model_dir / METRICS_FILE).write_text(text + "\n", encoding="utf-8")
        write_model_card(model.model_dir)
    click.echo(text if as_json else format_report(result))


@main.command("tag")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "-o",
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Output folder for predictions.parquet.",
)
@_model_option
@PARAMS_OPTION
def tag_cmd(
    inputs: tuple[Path, ...], out_dir: Path, model_dir: Path | None, params_path: Path | None
) -> None:
    """Tag units with the A-I areas: probabilities, labels and explanation terms.

    INPUTS is a units file from `capmap extract` (units.parquet or units.jsonl), or PDFs
    and folders of PDFs, which are extracted first. Writes OUT_DIR/predictions.parquet
    with each unit's provenance (doc_id, pages, article_ref, heading_path, text) and
    what decided its labels (decided_by). Headings get no area (params
    tag.no_area_kinds; taxonomy rule 6).

    \b
    Example:
      capmap tag out/units.parquet -o out
      capmap tag corpus/samples -o out
    """
    from pipeline.io import InputError
    from pipeline.tag import PREDICTIONS_FILE, tag

    params = _load(params_path)
    model = _load_model(model_dir)
    try:
        predictions = tag(list(inputs), out_dir, model, params)
    except InputError as exc:
        raise InputProblem(str(exc)) from exc
    tagged = int((predictions["labels"] != "").sum())
    click.echo(
        f"tagged {len(predictions)} units ({tagged} with at least one area) with model "
        f"{model.model_id}: {out_dir / PREDICTIONS_FILE}"
    )


@main.command("matrix")
@click.argument("predictions", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Output folder for the matrices and the report.",
)
@BY_OPTION
@click.option(
    "--metadata",
    "metadata_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="CSV with path,country,year,title,doc_type per document.",
)
@click.option(
    "--manifest",
    "manifest_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Extraction manifest (default: manifest.csv next to PREDICTIONS).",
)
@click.option(
    "--html/--no-html",
    default=True,
    show_default=True,
    help="Also write report.html and heatmap.png.",
)
@PARAMS_OPTION
def matrix_cmd(
    predictions: Path,
    out_dir: Path,
    by: str,
    metadata_path: Path | None,
    manifest_path: Path | None,
    html: bool,
    params_path: Path | None,
) -> None:
    """Build coverage and gap matrices (documents or groups x areas A-I) with evidence.

    Writes coverage.csv, coverage.parquet, gaps.csv, matrices.xlsx and, with --html,
    report.html and heatmap.png into OUT_DIR. Levels (not / partly / substantively
    addressed) follow the `matrix` block of params.yaml; documents that could not be read
    are NA in every cell.

    \b
    Example:
      capmap matrix out/predictions.parquet -o out --metadata corpus/samples/metadata.csv
      capmap matrix out/predictions.parquet -o out/by_country --by country --no-html
    """
    from pipeline.export import run_matrix
    from pipeline.io import InputError

    params = _load(params_path).matrix
    try:
        result, paths = run_matrix(
            predictions, out_dir, params, by, metadata_path, manifest_path, html
        )
    except InputError as exc:
        raise InputProblem(str(exc)) from exc
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    docs = result.documents
    click.echo(
        f"{len(docs)} document(s), {int((~docs['assessed']).sum())} not assessed; "
        f"{len(result.level)} row(s) by {by}; wrote {', '.join(p.name for p in paths)} "
        f"to {out_dir}/"
    )


@main.command("run")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Output folder (cache, predictions, matrices, report).",
)
@click.option(
    "--metadata",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="CSV with path,country,year,title,doc_type for the documents.",
)
@BY_OPTION
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    default=None,
    help="Worker processes (default: params run.workers; 0 = number of cores).",
)
@click.option(
    "--executor",
    type=click.Choice(["local", "dask"]),
    default=None,
    help="local processes, or a Dask cluster (default: params run.executor).",
)
@click.option(
    "--scheduler",
    default=None,
    help="Dask scheduler address (tcp://HOST:PORT); without it a local Dask cluster.",
)
@click.option("--strict", is_flag=True, help="Exit non-zero when any file failed or timed out.")
@click.option(
    "--quarantine",
    is_flag=True,
    help="Copy inputs that could not be assessed to OUT_DIR/quarantine/ with a .reason.txt each.",
)
@_model_option
@PARAMS_OPTION
def run_cmd(
    inputs,
    out_dir,
    metadata,
    by,
    workers,
    executor,
    scheduler,
    strict,
    quarantine,
    model_dir,
    params_path,
) -> None:
    """Run the whole job: extract, tag, build matrices and the report for many PDFs.

    INPUTS are folders (searched recursively), PDFs, or CSV files listing PDFs in a
    `path` column. Results are cached per document in OUT_DIR/cache, so an interrupted
    run resumes where it stopped and an unchanged rerun does no work. Writes
    predictions.parquet, manifest.csv (one row per input file), coverage.csv,
    coverage.parquet, gaps.csv, matrices.xlsx, heatmap.png and report.html.

    \b
    Example:
      capmap run corpus/samples -o out --metadata corpus/samples/metadata.csv
      capmap run laws/ -o out --executor dask --scheduler tcp://10.0.0.5:8786
      capmap run scraped/ -o out --quarantine
    """
    from pipeline.batch import QUARANTINE_DIR, RunLocked, run_batch
    from pipeline.io import InputError
    from pipeline.isolation import StartFailed
    from pipeline.model import ModelError

    params = _load(params_path)
    try:
        summary = run_batch(
            list(inputs),
            out_dir,
            _resolve_model_dir(model_dir),
            params,
            metadata=metadata,
            workers=params.run.workers if workers is None else workers,
            executor=executor or params.run.executor,
            scheduler=scheduler,
            by=by,
            quarantine=quarantine,
        )
    except (InputError, RunLocked) as exc:
        raise InputProblem(str(exc)) from exc
    except (ModelError, StartFailed) as exc:
        raise click.ClickException(str(exc)) from exc
    for warning in summary.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(summary.line())
    click.echo(
        f"outputs in {out_dir}/: report.html, matrices.xlsx, coverage.csv, gaps.csv, "
        "predictions.parquet, manifest.csv"
    )
    if quarantine:
        click.echo(f"{summary.quarantined} file(s) copied to {out_dir / QUARANTINE_DIR}/")
    if strict and summary.failed:
        raise click.ClickException(
            f"{summary.failed} file(s) failed (--strict); see {out_dir}/manifest.csv"
        )


if __name__ == "__main__":
    main()


@main.command("extract")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder for units and manifest.csv.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["parquet", "jsonl"]),
    default="parquet",
    show_default=True,
    help="Format of the units file.",
)
@click.option(
    "--engine",
    type=click.Choice(["pdfium", "pdfplumber"]),
    default=None,
    help="PDF text engine (default: extract.engine in params).",
)
@PARAMS_OPTION
def extract_cmd(
    inputs: tuple[Path, ...], out_dir: Path, fmt: str, engine: str | None, params_path: Path | None
) -> None:
    """Split PDFs (files or folders, searched recursively) into units with provenance.

    Writes OUT_DIR/units.parquet (or units.jsonl) and OUT_DIR/manifest.csv with one row
    per input file and its status (ok, partial, no_text_layer, encrypted, not_pdf,
    timeout, too_large, failed). Each file is read in an isolated child process.

    \b
    Example:
      capmap extract corpus/samples -o out/extract --format jsonl
    """
    from dataclasses import replace

    from pipeline.extract import expand_inputs, extract_paths
    from pipeline.isolation import StartFailed

    for item in inputs:
        if not item.exists():
            raise InputProblem(f"{item}: no such file or folder")
    if not expand_inputs(list(inputs), out_dir):
        raise InputProblem(f"{', '.join(map(str, inputs))}: no PDF files found")
    params = _load(params_path).extract
    if engine:
        params = replace(params, engine=engine)
    try:
        manifest = extract_paths(list(inputs), out_dir, params, fmt)
    except StartFailed as exc:
        raise click.ClickException(str(exc)) from exc
    for status, rows in manifest.groupby("status", sort=False):
        click.echo(f"{status}: {len(rows)} file(s), {int(rows['units'].sum())} units")
    click.echo(f"units: {out_dir / ('units.' + fmt)}  manifest: {out_dir / 'manifest.csv'}")
