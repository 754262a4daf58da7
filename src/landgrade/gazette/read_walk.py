"""Turn-by-turn walks: ``西起X,向南,…穿越A、B,延伸至C以南40米处折向东,…与起点形成闭合线``.

The walk is a sequence of operators (起 start, 向/南下/东行 head, 沿/拐到 along, 穿越 cross,
平行 parallel, 至/延伸至 to, 延伸N米 extend, 折向 turn, 与起点…闭合线 close) and the features
between them. 沿
starts a step only at the beginning of a clause (after ``,`` or a turn: ``折向南沿X``), so
沿江路 in ``沿沿江路`` stays a name. Text between operators that no operator takes is refused,
never dropped.
"""

from __future__ import annotations

import re
from dataclasses import replace

from landgrade.gazette.features import DIR, DIRECTION_OF, read_feature, read_features
from landgrade.gazette.free_words import take_exclusion_tails
from landgrade.gazette.refusal import Refuse
from landgrade.gazette.rule_areas import Walk
from landgrade.gazette.rule_items import RingItem, WalkStep

FAMILY = "walk (…起…向…折向…闭合线)"
_AFTER_TURN = r"(?=[,;。]|$|沿|穿越|穿过|平行|延伸|至|与起点|回到起点)"
_OPS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("close", re.compile(r"与起点(?:重合|相接|相连)?(?:形成|构成)?(?:闭合线?|闭合)?|回到起点")),
    ("turn", re.compile(rf"(?:折向|转向|拐向|折)(?P<d>{DIR}){_AFTER_TURN}")),
    ("head", re.compile(rf"向(?P<d>{DIR})(?:延伸)?{_AFTER_TURN}|(?P<d2>{DIR})(?:下|上|行|进)"
                        rf"{_AFTER_TURN}")),
    ("onto", re.compile(r"拐到|拐入|转到|转入|折入|拐上|转上")),
    ("cross", re.compile(r"穿越|穿过|横穿")),
    ("parallel", re.compile(r"平行于?")),
    ("extend", re.compile(r"延伸(?P<m>\d+(?:\.\d+)?)(?:米|m)处?")),
    ("to", re.compile(r"(?:延伸|延至|延长)?至")),
)
_START = re.compile(rf"(?P<d>{DIR})起|(?:自|从)(?=.)")
_ALONG = re.compile(r"沿")
_THIS_LANE = re.compile(r"该(?:巷|路|街|道)")
_DISTANCE_FROM = re.compile(r"^距离?(?P<f>.+?)(?P<m>\d+(?:\.\d+)?)(?:米|m)处?$")


def looks_like(text: str) -> bool:
    return bool(re.search(r"与起点|闭合线|回到起点", text)) or bool(
        re.match(rf"(?:{DIR})起", text) and re.search(r"折向|转向|拐向", text))


def _tokens(text: str) -> list[tuple[str, re.Match[str] | None, int, int]]:
    """``(op, match, start, end)`` for every operator, and ``("text", None, a, b)`` between."""
    out: list[tuple[str, re.Match[str] | None, int, int]] = []
    pos, buf = 0, 0
    m = _START.match(text)
    if m:
        out.append(("start", m, 0, m.end()))
        pos = buf = m.end()
    while pos < len(text):
        if text[pos] == ",":
            if buf < pos:
                out.append(("text", None, buf, pos))
            out.append(("sep", None, pos, pos + 1))
            pos = buf = pos + 1
            continue
        found = None
        after_op = bool(out) and out[-1][3] == pos and out[-1][0] in ("turn", "head")
        if _ALONG.match(text, pos) and (pos == 0 or text[pos - 1] == "," or after_op):
            found = ("along", _ALONG.match(text, pos))
        else:
            for op, pattern in _OPS:
                hit = pattern.match(text, pos)
                if hit:
                    found = (op, hit)
                    break
        if found is None:
            pos += 1
            continue
        op, hit = found
        if buf < pos:
            out.append(("text", None, buf, pos))
        assert hit is not None
        out.append((op, hit, pos, hit.end()))
        pos = buf = hit.end()
    if buf < len(text):
        out.append(("text", None, buf, len(text)))
    return out


def read_walk(text: str, exclude_grades: tuple[int, ...]) -> Walk:
    text, tail = take_exclusion_tails(text.rstrip("。;,"))
    if tail.exclude_features or tail.exclude_land:
        raise Refuse(len(text), "a walk without landmarks or land cut out (this reader does not "
                     "cut them)", family=FAMILY)
    exclude_grades = tuple(sorted(set(exclude_grades) | set(tail.exclude_grades)))
    tokens = [t for t in _tokens(text)]
    steps: list[WalkStep] = []
    k = 0

    def operand(i: int, allow_commas: bool = False) -> tuple[str, int, int]:
        """The text after token i (up to the next operator); returns text, start, next index."""
        j = i + 1
        a = b = tokens[i][3]
        while j < len(tokens) and (tokens[j][0] == "text" or (
                allow_commas and tokens[j][0] == "sep" and j + 1 < len(tokens)
                and tokens[j + 1][0] == "text")):
            b = tokens[j][3]
            j += 1
        return text[a:b], a, j

    def items(body: str, at: int, what: str, many: bool = True) -> tuple[RingItem, ...]:
        if not body:
            raise Refuse(at, f"{what} here", family=FAMILY)
        try:
            if "," in body:
                parts = body.split(",")
                found, offset = [], at
                for p in parts:
                    found.append(read_feature(p, start=offset))
                    offset += len(p) + 1
                return tuple(found)
            if many:
                return tuple(read_features(body, what=what))
            return _crossing(read_feature(body))
        except Refuse as e:
            raise e.shifted(at, FAMILY) from None

    if not tokens or tokens[0][0] != "start":
        raise Refuse(0, "a walk that starts with its start point (西起X, 南起X)", family=FAMILY)
    pending_distance: tuple[str, float, int] | None = None
    while k < len(tokens):
        op, hit, a, b = tokens[k]
        if op == "sep":
            k += 1
            continue
        if op == "text":
            body = text[a:b]
            near = _DISTANCE_FROM.match(body)
            if near and k + 1 < len(tokens) and tokens[k + 1][0] == "parallel":
                pending_distance = (near.group("f"), float(near.group("m")), a)
                k += 1
                continue
            raise Refuse(a, "a walk step (向…, 沿…, 穿越…, 至…, 折向…) — these words follow "
                         "none", end=b, family=FAMILY)
        assert hit is not None
        if op == "start":
            body, at, k = operand(k, allow_commas=True)
            if hit.group("d") is None:  # 自X起, 从X开始
                body = re.sub(r"(?:起|开始|出发)$", "", body)
            side = DIRECTION_OF[hit.group("d")] if hit.group("d") else None
            point = items(body, at, "the start point", many="," in body)
            steps.append(WalkStep("start", point, side))  # type: ignore[arg-type]
            continue
        if op in ("head", "turn"):
            d = hit.group("d") or hit.groupdict().get("d2")
            steps.append(WalkStep(op, (), DIRECTION_OF[d]))  # type: ignore[arg-type]
            k += 1
            continue
        if op == "onto":  # 拐到X: the walk turns onto X and follows it
            op = "along"
        if op in ("along", "cross"):
            body, at, k = operand(k)
            what = "the feature the walk follows" if op == "along" else "the feature it crosses"
            steps.append(WalkStep(op, items(body, at, what)))  # type: ignore[arg-type]
            continue
        if op == "to":
            body, at, k = operand(k)
            steps.append(WalkStep("to", items(body, at, "where the leg ends", many=False)))
            continue
        if op == "extend":
            steps.append(WalkStep("extend", distance_m=_num(hit.group("m"))))
            k += 1
            continue
        if op == "parallel":
            body, at, k = operand(k)
            if pending_distance is not None and (not body or _THIS_LANE.fullmatch(body)):
                name, metres, at = pending_distance
                steps.append(WalkStep("parallel", items(name, at + 2, "the feature"),
                                      distance_m=_num(str(metres)),
                                      qualifier=body or None))
            elif body:
                steps.append(WalkStep("parallel", items(body, at, "the feature", many=False)))
            else:
                raise Refuse(a, "the feature the walk runs parallel to", family=FAMILY)
            pending_distance = None
            continue
        if op == "close":
            steps.append(WalkStep("close"))
            k += 1
            if any(t[0] not in ("sep",) for t in tokens[k:]):
                raise Refuse(tokens[k][2], "the end of the walk after it closes", family=FAMILY)
            break
    if not steps or steps[-1].op != "close":
        raise Refuse(len(text), "a walk that closes (与起点形成闭合线)", family=FAMILY)
    if sum(1 for s in steps if s.op in ("to", "extend")) < 2:
        raise Refuse(0, "a walk with the legs that close it", end=len(text), family=FAMILY)
    return Walk(tuple(steps), exclude_grades)


_MEETS = re.compile(r"^与(?P<other>.+?)(?:交汇|交叉|相交|十字路口|交叉口|路口)处?$")


def _crossing(item: RingItem) -> tuple[RingItem, ...]:
    """A point where two features meet (红棉路与荷新路交叉处) as the two features."""
    m = _MEETS.match(item.qualifier or "")
    if not m:
        return (item,)
    return (replace(item, qualifier=None), read_feature(m.group("other")))


def _num(text: str) -> float:
    value = float(text)
    return int(value) if value.is_integer() else value
