"""``landgrade parse``: a grade-zone description printed as rules (JSON) or gazette wording."""

from __future__ import annotations

import json
import re
from pathlib import Path

from landgrade.gazette.parse import parse_file
from landgrade.gazette.parse_errors import RulesSyntaxError
from landgrade.gazette.wording import to_gazette_text

# How the parser places an error it words from the grammar (landgrade.gazette.parse_errors).
_PLACED = re.compile(r": (?:grade .+? \(\d+\), )?(?:item \d+, )?at (?:the end of the row, )?"
                     r"character \d+: \".*\" — expected ")


def parse_command(file: Path, as_text: bool = False, lang: str = "en") -> None:
    """``landgrade parse FILE``: print the rules as JSON, or with ``--text`` as gazette wording.

    A description that does not parse is an error naming the place and what was expected, in
    ``lang`` (the rules themselves are data: JSON keys, and the gazette's own words)."""
    try:
        rules = parse_file(file)
    except RulesSyntaxError as e:
        if lang != "zh":
            raise
        raise RulesSyntaxError(source=e.source, offset=e.offset, fragment=e.fragment,
                               expected=e.expected, grade=e.grade, grade_word=e.grade_word,
                               item=e.item, line=e.line, column=e.column,
                               message=syntax_message(e, lang)) from None
    if as_text:
        print(to_gazette_text(rules), end="")
    else:
        print(json.dumps(rules.to_dict(), ensure_ascii=False, indent=2))


def syntax_message(error: RulesSyntaxError, lang: str) -> str:
    """The message of a description that does not parse, in ``lang``: where (grade, item,
    character, line and column) and what the grammar would have accepted. A message the parser
    wrote for a particular case (an encoding, a missing grade) is kept as it is."""
    from landgrade.gazette.labels import word
    from landgrade.gazette.labels_outputs import PARSE_REWORDINGS
    from landgrade.gazette.names import grade_word_of
    from landgrade.gazette.rewording import reword

    text = str(error)
    if lang != "zh":
        return text
    if not _PLACED.search(text):  # a message of its own: worded whole where a wording exists
        return reword(text, PARSE_REWORDINGS, lang)
    where = []
    if error.grade is not None:
        g = error.grade_word or grade_word_of(error.grade)
        where.append(word("parse_where_grade", lang, word=g, grade=error.grade))
    if error.item is not None:
        where.append(word("parse_where_item", lang, item=error.item))
    at_end = "at the end of the row, character" in text
    where.append(word("parse_where_end" if at_end else "parse_where_at", lang,
                      offset=error.offset))
    message = word("parse_error", lang, source=error.source, where="，".join(where),
                   fragment=error.fragment,
                   expected=reword(error.expected, PARSE_REWORDINGS, lang))
    if error.line is not None:
        message += word("parse_line", lang, line=error.line, column=error.column)
    return message
