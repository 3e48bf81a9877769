"""Named aliases for the places where a value really can be anything: JSON documents (AWS answers,
--format json output, the ledger's counts) and the values a Jinja template renders."""

from __future__ import annotations

from typing import Any

JSON = Any  # one value of a JSON document: str, int, float, bool, None, a list or a Document
Document = dict[str, JSON]
TemplateValue = Any  # what a SQL template is given: strings, numbers, formats, macros
