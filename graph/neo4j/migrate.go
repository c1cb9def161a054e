package neo4j

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/package-url/packageurl-go"

	"github.com/sbomgraph/sbomgraph/ingest/sbom"
)

// migrations is the model's history: migrations[i] takes schema version i+1 to i+2, inside the
// one write transaction that then records the new version, so a failed step changes nothing.
// Append only: never edit a step that has shipped.
var migrations = []func(ctx context.Context, tx neo4j.ManagedTransaction) error{
	recanonicalizePurls,
}

// recanonicalizePurls stores in the purl spec's spelling the components whose purl
// sbom.ParsePurl now writes another way ("pkg:alpine/musl@…" is "pkg:apk/alpine/musl@…",
// trivy's "pkg:golang/…@1.6.1" is "…@v1.6.1"); earlier builds stored them as written. A
// component's identity, key, ecosystem and namespace change, it moves to its package's node,
// and the shortest paths and documents of the versions that contain it are rewritten. CONTAINS
// keeps the identity fields only where they differ from what the identity says (see
// containsProps), which a purl's key, ecosystem and namespace never do; a name or version the
// new identity says otherwise is pinned on it. When the new identity is stored already (an old
// and a new scan of one package) it fails rather than merge the two, naming both, so that the
// versions holding one can be deleted with the build that stored them and ingested again.
func recanonicalizePurls(ctx context.Context, tx neo4j.ManagedTransaction) error {
	l, err := list(ctx, tx, `MATCH (c:Component) WHERE c.purl RETURN collect(c.id)`, nil)
	if err != nil {
		return err
	}
	renamed := map[string]any{} // old identity -> new
	var renames, pins []any
	for _, x := range l {
		old, ok := x.(string)
		if !ok {
			return fmt.Errorf("component id: want a string, got %T: %w", x, errCorrupt)
		}
		p, err := sbom.ParsePurl(old)
		if err != nil { // stored by this store, so parsed once already
			return fmt.Errorf("component %s: %w: %v", old, errCorrupt, err)
		}
		if p.Canonical == old {
			continue
		}
		renamed[old] = p.Canonical
		renames = append(renames, map[string]any{"old": old, "id": p.Canonical, "key": p.Key, "ecosystem": p.Type, "namespace": p.Namespace})
		// CONTAINS leaves out the name and version where they are the identity's (see
		// containsProps); where the new identity says otherwise ("v1.6.1" for "1.6.1"), the
		// old identity's are pinned on it, so each version reads what its SBOM wrote.
		if was, err := packageurl.FromString(old); err == nil && (was.Name != p.Name || was.Version != p.Version) {
			pin := map[string]any{"old": old, "name": nil, "version": nil}
			if was.Name != p.Name {
				pin["name"] = was.Name
			}
			if was.Version != p.Version {
				pin["version"] = was.Version
			}
			pins = append(pins, pin)
		}
	}
	if len(renames) == 0 {
		return nil
	}
	taken, err := list(ctx, tx, `MATCH (c:Component) WHERE c.id IN $ids RETURN collect(c.id)`,
		map[string]any{"ids": slices.Collect(maps.Values(renamed))})
	if err != nil {
		return err
	}
	for old, id := range renamed {
		if slices.Contains(taken, id) {
			return fmt.Errorf("components %s and %s are one once purls are read in the purl spec's spelling: "+
				"delete the versions that hold one of them with the sbomgraph build that stored them, and ingest them again: %w",
				old, id, ErrSchema)
		}
	}
	// The versions that contain a renamed component first, while CONTAINS still leads to the
	// old identities: the names and versions to pin, the shortest paths their CONTAINS keep
	// (as identities; a path runs inside one version, so only theirs can hold one), and their
	// documents.
	if _, err := run(ctx, tx, `UNWIND $pins AS pin
		MATCH (:Version)-[r:CONTAINS]->(:Component {id: pin.old})
		SET r.name = coalesce(r.name, pin.name), r.version = coalesce(r.version, pin.version)`, map[string]any{"pins": pins}); err != nil {
		return err
	}
	recs, err := collect(ctx, tx, `MATCH (v:Version)-[:CONTAINS]->(c:Component) WHERE c.id IN $ids
		WITH DISTINCT v
		CALL (v) {
			MATCH (v)-[r:CONTAINS]->() WHERE any(x IN r.path WHERE x IN $ids)
			SET r.path = [x IN r.path | coalesce($renamed[x], x)]
		}
		RETURN v.vid, v.doc`, map[string]any{"ids": slices.Collect(maps.Keys(renamed)), "renamed": renamed})
	if err != nil {
		return err
	}
	for _, r := range recs {
		d := decoder{vals: r.Values}
		vid, blob := d.int(0), d.bytes(1)
		if d.err != nil {
			return fmt.Errorf("version: %w", d.err)
		}
		doc, err := decodeDoc(blob)
		if err != nil {
			return fmt.Errorf("version %d: %w", vid, err)
		}
		for i := range doc.Components {
			c := &doc.Components[i]
			if c.Purl == "" {
				continue
			}
			if p, err := sbom.ParsePurl(c.Purl); err == nil && p.Canonical != c.Purl {
				c.Purl, c.Key, c.Ecosystem, c.Namespace = p.Canonical, p.Key, p.Type, p.Namespace
			}
		}
		if blob, err = encodeDoc(doc); err != nil {
			return fmt.Errorf("version %d: %w", vid, err)
		}
		if _, err := run(ctx, tx, `MATCH (v:Version {vid: $vid}) SET v.doc = $doc`, map[string]any{"vid": vid, "doc": blob}); err != nil {
			return err
		}
	}
	l, err = list(ctx, tx, `UNWIND $rows AS row
		MATCH (c:Component {id: row.old})
		SET c.id = row.id, c.key = row.key, c.ecosystem = row.ecosystem, c.namespace = row.namespace
		WITH c, row
		OPTIONAL MATCH (c)-[of:OF]->(old:Package)
		DELETE of
		WITH DISTINCT c, row, old
		MERGE (k:Package {key: row.key})
		MERGE (c)-[:OF]->(k)
		RETURN collect(DISTINCT old.key)`, map[string]any{"rows": renames})
	if err != nil {
		return err
	}
	_, err = run(ctx, tx, `MATCH (k:Package) WHERE k.key IN $keys AND NOT EXISTS { ()-[:OF]->(k) } DELETE k`, map[string]any{"keys": l})
	return err
}
