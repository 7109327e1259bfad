"""Country names of a dataset → ISO 3166 alpha-3 codes (then the State of the graph, by contract).

First the dataset's own table (``countries_match.xlsx`` of the BLA replication package: sheets
``CountryA`` and ``CountryB``, name → ISO3), whose private codes for states that no longer exist are
translated to ISO 3166-3 (``CZEa`` → ``CSK``, ``DEUe`` → ``DDR``) or to the continuing state
(``DEUw`` → ``DEU``: the Federal Republic of Germany is the same state before and after 1990); then
pycountry (current and historic names). A name neither knows is returned as None and reported by the
caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from migkg.importers.common import ImportFailure

#: The replication package's private codes → ISO 3166 (3166-3 for dissolved states).
PRIVATE_CODES: dict[str, tuple[str, str]] = {
    "CZEa": ("CSK", "Czechoslovakia: ISO 3166-3 CSHH (alpha-3 CSK)"),
    "DEUe": ("DDR", "German Democratic Republic: ISO 3166-3 DDDE (alpha-3 DDR)"),
    "DEUw": ("DEU", "Federal Republic of Germany before 1990: the same state as today's Germany (DEU)"),
}


#: Codes outside ISO 3166 that the tables use on purpose (Kosovo: the user-assigned XKX).
USER_ASSIGNED = frozenset({"XKX"})


@dataclass(frozen=True)
class Match:
    """A name's alpha-3 code and how it was found."""

    alpha3: str
    how: str


class CountryMatcher:
    """Name → alpha-3, from a name table (e.g. the BLA ``countries_match.xlsx``) then pycountry."""

    def __init__(self, table: dict[str, str] | None = None) -> None:
        self._table = dict(table or {})

    @classmethod
    def from_xlsx(cls, path: Path, sheets: tuple[str, ...] = ("CountryA", "CountryB")) -> CountryMatcher:
        """Read the name → code sheets of ``countries_match.xlsx`` (code in column A, name in B)."""
        from openpyxl import load_workbook

        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except Exception as err:  # OSError, zipfile.BadZipFile, openpyxl's InvalidFileException
            raise ImportFailure(str(path), f"cannot read the workbook: {err}") from err
        table: dict[str, str] = {}
        for sheet in sheets:
            if sheet not in book.sheetnames:
                raise ImportFailure(str(path), f"no sheet {sheet!r} (has {', '.join(book.sheetnames)})")
            for number, row in enumerate(book[sheet].iter_rows(values_only=True), 1):
                if number == 1 or not row or row[0] is None or row[1] is None:
                    continue
                table.setdefault(str(row[1]).strip(), str(row[0]).strip())
        book.close()
        return cls(table)

    def match(self, name: str) -> Match | None:
        """The alpha-3 code of ``name``, or None.

        >>> CountryMatcher({"West Germany": "DEUw"}).match("West Germany").alpha3
        'DEU'
        >>> CountryMatcher().match("Viet Nam").alpha3
        'VNM'
        >>> CountryMatcher({"Barbados": "BRD"}).match("Barbados").alpha3
        'BRB'
        >>> CountryMatcher().match("Atlantis") is None
        True
        """
        key = name.strip()
        code = self._table.get(key)
        if code is not None:
            if code in PRIVATE_CODES:
                return Match(PRIVATE_CODES[code][0], f"countries_match.xlsx {code}: {PRIVATE_CODES[code][1]}")
            if _is_iso_alpha3(code) or code in USER_ASSIGNED:
                return Match(code, "countries_match.xlsx")
            found = _pycountry(key)
            if found is not None:
                return Match(found.alpha3, f"countries_match.xlsx gives {code!r}, not an ISO 3166 "
                                           f"alpha-3 code; {found.how} gives {found.alpha3}")
            return None
        return _pycountry(key)


def _is_iso_alpha3(code: str) -> bool:
    import pycountry

    if pycountry.countries.get(alpha_3=code) is not None:
        return True
    return any(str(h.alpha_3) == code for h in pycountry.historic_countries)


def _pycountry(name: str) -> Match | None:
    import pycountry

    try:
        found = pycountry.countries.lookup(name)
        return Match(str(found.alpha_3), "pycountry")
    except LookupError:
        pass
    for historic in pycountry.historic_countries:
        if name.lower() in {str(getattr(historic, "name", "")).lower(),
                            str(getattr(historic, "official_name", "")).lower()}:
            return Match(str(historic.alpha_3), "pycountry (ISO 3166-3)")
    return None
