"""Templates to pages: a Jinja2 environment that escapes every value, and the helpers the
templates share (two-language text, links between pages, JSON safe inside a script tag).

Every page carries both languages: `t('key')` and `both(ja, en)` write a Japanese and an
English span, and the stylesheet shows the one the language switch chose (`html[data-lang]`).
"""

from __future__ import annotations

import json
import pickle
from functools import cache
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

from welfare_kg.datafiles import load_yaml
from welfare_kg.errors import VocabularyError

__all__ = ["HERE", "environment", "load_templates", "script_json", "strings"]

HERE = Path(__file__).parent
STRINGS = HERE / "strings.yaml"


@cache
def strings(path: Path = STRINGS) -> dict[str, dict[str, str]]:
    """The interface text, each key with a Japanese and an English form."""
    data = load_yaml(path)
    for key, forms in data.items():
        if not isinstance(forms, dict) or not forms.get("ja") or not forms.get("en"):
            raise VocabularyError(f"{path}: {key}: give both ja and en")
    return data


def both(ja: Any, en: Any = "", tag: str = "span") -> Markup:
    """Japanese and English forms of one value, each escaped; English falls back to the
    Japanese text (marked lang="ja") when the data has no English form. `tag` is the
    template's own element name, never data."""
    ja_s = "" if ja is None else str(ja)
    en_s = "" if en is None else str(en)
    if not en_s or en_s == ja_s:
        return Markup(f'<{tag} lang="ja">{escape(ja_s)}</{tag}>')
    return Markup(f'<{tag} class="ja" lang="ja">{escape(ja_s)}</{tag}>'
                  f'<{tag} class="en" lang="en">{escape(en_s)}</{tag}>')


@cache
def t(key: str) -> Markup:
    """Interface text `key` in both languages."""
    forms = strings()[key]
    return both(forms["ja"], forms["en"])


def attr(key: str, lang: str = "ja") -> str:
    """Interface text for an attribute (placeholder, aria-label): one language, escaped by
    the template."""
    return strings()[key][lang]


def script_json(value: Any) -> Markup:
    """JSON that is safe inside <script>: no `</script>`, `<!--`, or line separators can end
    or confuse the script element; sorted keys keep pages byte-identical."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                    ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return Markup(text)


def fmt(value: Any, digits: int = 3) -> str:
    """A figure as shown: integers plain, fractions with `digits` decimals."""
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def percent(value: Any) -> str:
    return f"{float(value):.1%}"


@cache
def environment() -> Any:
    """The Jinja2 environment: templates from `templates/`, autoescape on, strict undefined,
    compiled templates kept beside them (`template_bytecode`)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(HERE / "templates")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(t=t, both=both, attr=attr, script_json=script_json, escape=escape)
    env.filters.update(fmt=fmt, percent=percent)
    env.bytecode_cache = template_bytecode(env, HERE / "templates" / "__pycache__")
    return env


def load_templates() -> None:
    """Load every page template now (its kept compiled code, or compiled from source), so a
    process that has a moment to spare before it renders (the main job while its build runs
    in a second process) does not spend it later."""
    env = environment()
    for name in env.list_templates(extensions=["html"]):
        env.get_template(name)


def template_bytecode(env: Any, folder: Path) -> Any:
    """Compiled templates kept in `folder`, as Python keeps compiled modules in __pycache__.

    Compiling the site's templates from source costs about a tenth of a second in every
    process; Jinja2 keeps each compiled template under a key of its name and file, and
    reuses it only while the source's checksum, Jinja2's bytecode format and the Python
    version match. What the compiled code also depends on, the environment's syntax and
    whitespace settings, goes into the file names, so a change to them compiles afresh.
    A folder that cannot be written (a read-only install) only means compiling each time.
    """
    import hashlib

    import jinja2

    class KeptBytecode(jinja2.FileSystemBytecodeCache):
        def load_bytecode(self, bucket: Any) -> None:
            try:
                super().load_bytecode(bucket)
            except (OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError):
                # unreadable or cut short (a crash or a full disk while it was written):
                # compiled from source instead, and written again
                bucket.reset()

        def dump_bytecode(self, bucket: Any) -> None:
            try:
                folder.mkdir(exist_ok=True)
                super().dump_bytecode(bucket)
            except OSError:
                pass

    settings = repr((jinja2.__version__, env.block_start_string, env.block_end_string,
                     env.variable_start_string, env.variable_end_string,
                     env.comment_start_string, env.comment_end_string,
                     env.line_statement_prefix, env.line_comment_prefix, env.trim_blocks,
                     env.lstrip_blocks, env.newline_sequence, env.keep_trailing_newline,
                     env.autoescape, env.optimized, sorted(env.extensions),
                     env.undefined.__qualname__))
    tag = hashlib.sha256(settings.encode("utf-8")).hexdigest()[:16]
    return KeptBytecode(str(folder), f"{tag}-%s.jinja")
