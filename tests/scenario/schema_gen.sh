#!/bin/sh
# scenarios/scenario.schema.json is what scenarios/schema-gen.py prints, byte for byte: the
# schema is never edited by hand (issue #15: a hand edit for read_only left the generator
# behind, and regenerating dropped it). The generator reads the closed name sets from the
# validator's C tables: a name added there changes its output, so this check then fails until
# the schema is regenerated.
# Usage: schema_gen.sh SOURCE_DIR
set -u
src=$1
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

python3 "$src/scenarios/schema-gen.py" >"$tmp/schema.json" || fail "schema-gen.py exited $?"
cmp -s "$tmp/schema.json" "$src/scenarios/scenario.schema.json" ||
    fail "the committed schema is not schema-gen.py's output: $(diff "$src/scenarios/scenario.schema.json" "$tmp/schema.json" | head -20)"

# An error name added to the validator's table (a copy of the tree's C sources) reaches the
# generated schema, which then differs from the committed one.
mkdir -p "$tmp/tree/sim/nor" "$tmp/tree/sim/scenario"
cp "$src/sim/nor/nor_names.c" "$src/sim/nor/nor_presets.c" "$tmp/tree/sim/nor/"
cp "$src/sim/scenario/scenario_partitions.c" "$tmp/tree/sim/scenario/"
cp "$src/sim/scenario/scenario_txn.c" "$src/sim/scenario/scenario_tdb.c" "$src/sim/scenario/scenario_fs.c" \
    "$tmp/tree/sim/scenario/"
sed 's|{"read_only", NBS_E_READ_ONLY},|{"read_only", NBS_E_READ_ONLY}, {"made_up", -99},|' \
    "$src/sim/scenario/scenario_names.c" >"$tmp/tree/sim/scenario/scenario_names.c"
python3 "$src/scenarios/schema-gen.py" "$tmp/tree" >"$tmp/changed.json" || fail "schema-gen.py on the copy exited $?"
grep -q '"NBS_E_MADE_UP"' "$tmp/changed.json" && ! cmp -s "$tmp/changed.json" "$src/scenarios/scenario.schema.json" ||
    fail "a name added to the C table does not reach the schema"

[ $fails -eq 0 ] && echo "schema-gen: the committed schema is the generator's output"
exit $((fails > 0))
