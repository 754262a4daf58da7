"""Check geo/landuse/*.csv and geo/dongkou/use_classes.csv, and print the code collisions.

    python scripts/check_landuse.py            # checks; exit status 1 on any problem
    python scripts/check_landuse.py --collisions   # also print the collision table (Markdown)

Checks: standards.csv lists each standard's file; codes are unique text of 2/4/6 digits; level
matches the code length; every level 2/3 class has an existing parent that is its code prefix;
names are unique within a standard; a short form is unique within its standard and is not
another class's name; everyday names point at existing codes (several joined by ``|``), are not
a class name of that standard and agree with its short forms; every Dongkou row names an
existing class and a use key of geo/dongkou/uses.csv (or ``ask``, with ask_zh and ask_en) with a
note; a class mapped by Dongkou has its sub-classes mapped too (no class is priced by its
parent's row); Dongkou's own names (use_names.csv) are not class names. Standard library only.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LANDUSE = ROOT / "geo" / "landuse"


def _standards() -> dict[str, Path]:
    with open(LANDUSE / "standards.csv", newline="", encoding="utf-8") as f:
        return {r["standard"]: LANDUSE / r["file"] for r in csv.DictReader(f)}


STANDARDS = _standards()


def rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def check_standard(std: str, table: list[dict[str, str]], problems: list[str]) -> None:
    codes = [r["code"] for r in table]
    by_code = {r["code"]: r for r in table}
    if len(codes) != len(by_code):
        twice = sorted({c for c in codes if codes.count(c) > 1})
        problems.append(f"{std}: duplicate codes {twice}")
    names: dict[str, str] = {}
    for r in table:
        code, name, level, parent = r["code"], r["name"], r["level"], r["parent"]
        if not (code.isdigit() and len(code) in (2, 4, 6)):
            problems.append(f"{std} {code}: code is not 2, 4 or 6 digits")
            continue
        if level != str(len(code) // 2):
            problems.append(f"{std} {code}: level {level} does not match the code length")
        if level == "1":
            if parent:
                problems.append(f"{std} {code}: level 1 with a parent")
        elif parent not in by_code:
            problems.append(f"{std} {code}: parent {parent!r} does not exist")
        elif parent != code[: len(code) - 2]:
            problems.append(f"{std} {code}: parent {parent} is not the code prefix")
        if name in names:
            problems.append(f"{std}: name {name} used by {names[name]} and {code}")
        names[name] = code
    shorts: dict[str, str] = {}
    for r in table:
        for s in filter(None, r["short"].split("|")):
            if "," in s or s != s.strip():
                problems.append(f"{std} {r['code']}: bad short form {s!r}")
            if s in shorts:
                problems.append(f"{std}: short form {s} used by {shorts[s]} and {r['code']}")
            if s in names and names[s] != r["code"]:
                problems.append(f"{std}: short form {s} of {r['code']} is the name of {names[s]}")
            shorts[s] = r["code"]


def main() -> int:
    problems: list[str] = []
    tables = {std: rows(p) for std, p in STANDARDS.items()}
    for std, table in tables.items():
        check_standard(std, table, problems)
    by = {std: {r["code"]: r for r in t} for std, t in tables.items()}

    seen = set()
    for r in rows(LANDUSE / "everyday_names.csv"):
        key = (r["name"], r["standard"])
        if key in seen:
            problems.append(f"everyday_names: {key} listed twice")
        seen.add(key)
        std = by.get(r["standard"])
        if std is None:
            problems.append(f"everyday_names: unknown standard {r['standard']}")
            continue
        codes = r["code"].split("|")
        for code in codes:
            if code not in std:
                problems.append(f"everyday_names: {r['name']} -> {code} not in {r['standard']}")
        if r["name"] in {x["name"] for x in std.values()}:
            problems.append(f"everyday_names: {r['name']} is a class name in {r['standard']}")
        for x in std.values():
            if r["name"] in x["short"].split("|") and codes != [x["code"]]:
                problems.append(f"everyday_names: {r['name']} -> {r['code']} but it is the short "
                                f"form of {x['code']} in {r['standard']}")

    uses = {r["use"] for r in rows(ROOT / "geo" / "dongkou" / "uses.csv")} | {"ask"}
    seen = set()
    for r in rows(ROOT / "geo" / "dongkou" / "use_classes.csv"):
        key = (r["standard"], r["code"])
        if key in seen:
            problems.append(f"dongkou use_classes: {key} listed twice")
        seen.add(key)
        if r["code"] not in by.get(r["standard"], {}):
            problems.append(f"dongkou use_classes: {key} is not a class")
        if r["use"] not in uses:
            problems.append(f"dongkou use_classes: {key} use {r['use']!r} not in uses.csv")
        if not r["note"].strip():
            problems.append(f"dongkou use_classes: {key} has no note")
        if r["use"] == "ask" and not (r.get("ask_zh") and r.get("ask_en")):
            problems.append(f"dongkou use_classes: {key} is ask without ask_zh and ask_en")
    for std, code in seen:
        for child in by.get(std, {}).values():
            if child["parent"] == code and (std, child["code"]) not in seen:
                problems.append(f"dongkou use_classes: {std} {code} is mapped but its "
                                f"sub-class {child['code']} is not")
    for r in rows(ROOT / "geo" / "dongkou" / "use_names.csv"):
        if r["use"] not in uses:
            problems.append(f"dongkou use_names: {r['name']} use {r['use']!r} not in uses.csv")
        if any(r["name"] == x["name"] for t in by.values() for x in t.values()):
            problems.append(f"dongkou use_names: {r['name']} is a class name")

    for p in problems:
        print("PROBLEM:", p)
    if "--collisions" in sys.argv:
        a, b = by["tdly2017"], by["ydyh2023"]
        print("| code | tdly2017 | ydyh2023 |")
        print("|---|---|---|")
        for code in sorted(set(a) & set(b), key=lambda c: (len(c), c)):
            if a[code]["name"] != b[code]["name"]:
                print(f"| {code} | {a[code]['name']} | {b[code]['name']} |")
        same = [c for c in sorted(set(a) & set(b)) if a[c]["name"] == b[c]["name"]]
        print(f"\nsame code, same name in both: {', '.join(same) or 'none'}")
    if not problems:
        print(f"ok: {', '.join(f'{s} {len(t)} classes' for s, t in tables.items())}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
