"""Cut the road-and-water part out of an OpenStreetMap export, for tests/data/osm/.

    python scripts/make_osm_extract.py map.osm tests/data/osm/longgang.osm.pbf

Keeps every way tagged ``highway``, ``waterway`` or ``natural=water`` (whole, with all its nodes,
even those outside the export's bounds), the multipolygon relations of water areas with their
member ways, and the tags as mapped; user names and changeset metadata are dropped. The output
format follows the suffix (``.osm.pbf`` or ``.osm``). Needs ``pip install osmium`` (pyosmium),
which only this script uses.

The data stays © OpenStreetMap contributors under the ODbL 1.0: ship ATTRIBUTION.md with it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import osmium


def _wanted(tags: osmium.osm.TagList) -> bool:
    return ("highway" in tags or "waterway" in tags or tags.get("natural") == "water"
            or tags.get("landuse") == "reservoir")


def main(src: str, dst: str) -> None:
    relations: dict[int, tuple[list[tuple[str, int, str]], dict[str, str], int]] = {}
    ways: dict[int, tuple[list[int], dict[str, str], int]] = {}
    member_ways: set[int] = set()

    for r in osmium.FileProcessor(src, osmium.osm.RELATION):
        tags = dict(r.tags)
        if tags.get("type") == "multipolygon" and _wanted(r.tags):
            members = [(m.type, m.ref, m.role) for m in r.members]
            relations[r.id] = (members, tags, r.version)
            member_ways.update(ref for t, ref, _ in members if t == "w")
    for w in osmium.FileProcessor(src, osmium.osm.WAY):
        if _wanted(w.tags) or w.id in member_ways:
            ways[w.id] = ([n.ref for n in w.nodes], dict(w.tags), w.version)
    node_ids = {n for refs, _, _ in ways.values() for n in refs}

    out = Path(dst)
    out.unlink(missing_ok=True)
    writer = osmium.SimpleWriter(str(out))
    try:
        for n in osmium.FileProcessor(src, osmium.osm.NODE):
            if n.id in node_ids:
                writer.add_node(osmium.osm.mutable.Node(
                    id=n.id, version=n.version, location=n.location, tags=dict(n.tags)))
        for wid in sorted(ways):
            refs, tags, version = ways[wid]
            writer.add_way(osmium.osm.mutable.Way(id=wid, version=version, nodes=refs, tags=tags))
        for rid in sorted(relations):
            members, tags, version = relations[rid]
            writer.add_relation(osmium.osm.mutable.Relation(
                id=rid, version=version, members=members, tags=tags))
    finally:
        writer.close()
    print(f"{dst}: {len(node_ids)} nodes, {len(ways)} ways, {len(relations)} relations, "
          f"{out.stat().st_size:,} bytes")


if __name__ == "__main__":
    main(*sys.argv[1:3])
