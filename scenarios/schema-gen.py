# Generates scenarios/scenario.schema.json (JSON Schema draft 2020-12) from one compact
# description of the scenario format; run: python3 scenarios/schema-gen.py > scenarios/scenario.schema.json
# (an argument names the source tree to read the C tables from; default: this file's).
# Keep it in step with the validator in sim/scenario/ and with scenarios/README.md: the closed
# sets of names (error names, statistics, torn modes, presets) are read from the C tables the
# validator uses, so that a name added there reaches the schema on the next run;
# tests/scenario/schema_gen.sh checks that the committed schema is this script's output.
import json, os, re, sys
ROOT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
def c_source(path): return open(os.path.join(ROOT, path)).read()
def c_block(path, start):
    # The text of the C initializer that follows `start`, up to its closing "};".
    text = c_source(path)
    at = text.find(start)
    if at < 0: sys.exit(f"schema-gen.py: {path}: no '{start}'")
    return text[at:text.index("};", at)]
def c_names(path, table):
    # The quoted names of a table of scenario_name entries {"name", VALUE} (or of strings).
    return re.findall(r'"([^"]+)"', c_block(path, table))
U32 = {"type": "integer", "minimum": 0, "maximum": 4294967295}
def rng(lo, hi): return {"type": "integer", "minimum": lo, "maximum": hi}
def obj(props, required=(), desc=None):
    o = {"type": "object", "properties": props, "additionalProperties": False}
    if required: o["required"] = list(required)
    if desc: o["description"] = desc
    return o
ref = lambda n: {"$ref": "#/$defs/" + n}
MAXV = 1048576
# The torn-mode names of the NOR model (sim/nor/nor_names.c), in its order.
TORN_PROGRAM = c_names("sim/nor/nor_names.c", "program_names[")
TORN_ERASE = c_names("sim/nor/nor_names.c", "erase_names[")
errors = c_names("sim/scenario/scenario_names.c", "scenario_error_names[]")
forms = {"text": {"type": "string"}, "hex": {"type": "string", "pattern": "^[ \\t\\n]*([0-9a-fA-F][ \\t\\n]*[0-9a-fA-F][ \\t\\n]*)*$"},
         "u8": rng(0,255), "u16": rng(0,65535), "u32": U32, "u64": rng(0,18446744073709551615),
         "i8": rng(-128,127), "i16": rng(-32768,32767), "i32": rng(-2147483648,2147483647),
         "i64": rng(-9223372036854775808, 9223372036854775807), "random": rng(0, MAXV)}
value_obj = obj(dict(forms, seed=rng(0,18446744073709551615)))
value_obj["oneOf"] = [{"required": [k]} for k in forms]
value_obj["dependentRequired"] = {"seed": ["random"]}
defs = {
 "value": {"description": "Bytes: a string is text; an object gives exactly one form.",
           "oneOf": [{"type": "string"}, value_obj]},
 "key": {"description": "A value of 1..64 bytes.",
         "oneOf": [{"type": "string", "minLength": 1, "maxLength": 64}, value_obj]},
 "duration": {"description": "Microseconds, or a string such as \"250ms\" or \"1h30m\" (us, ms, s, m or min, h; fractions such as \"2.5h\" allowed); at most 100 years.",
              "oneOf": [rng(0, 3153600000000000), {"type": "string", "pattern": "^(([0-9]+(\\.[0-9]+)?|\\.[0-9]+)(us|ms|s|min|m|h))+$"}]},
 "size_range": {"description": "A size in bytes, or [min, max].",
                "oneOf": [rng(0, MAXV), {"type": "array", "prefixItems": [rng(0, MAXV), rng(0, MAXV)], "minItems": 2, "maxItems": 2}]},
 "kv_name": {"description": "A domain name or a key of key-value domains: a value of 0..128 bytes (the engine takes 1..127 for a name, 0..127 for a key).",
             "oneOf": [{"type": "string", "maxLength": 128}, value_obj]},
 "tdb_key": {"description": "A key (or prefix) of the TDBStore-shaped store: a value of 0..128 bytes (the engine takes 1..127; with key_rules none of * / ? : ; \\ \" | < > or a space).",
             "oneOf": [{"type": "string", "maxLength": 128}, value_obj]},
 "tdb_flags": {"description": "Creation flags: a name or any 32-bit number (bits other than write_once answer inval).",
               "oneOf": [{"enum": c_names("sim/scenario/scenario_tdb.c", "flag_names[]")}, U32]},
 "no_args": {"type": "object", "maxProperties": 0},
 "mount_args": obj({"read_only": {"type": "boolean", "description": "mount read-only: nothing is programmed or erased, and every write answers read_only until the next mount"}}),
 "error_name": {"enum": errors + ["NBS_E_" + e.upper() for e in errors]},
 "stat_bound": {"oneOf": [{"type": "integer", "minimum": 0}, {"type": "string", "pattern": "^(([0-9]+(\\.[0-9]+)?|\\.[0-9]+)(us|ms|s|min|m|h))+$"},
                          obj({op: {"oneOf": [{"type": "integer", "minimum": 0}, {"type": "string", "pattern": "^(([0-9]+(\\.[0-9]+)?|\\.[0-9]+)(us|ms|s|min|m|h))+$"}]}
                               for op in ["==","!=","<","<=",">",">="]}) | {"minProperties": 1}]},
 "steps": {"type": "array", "minItems": 1, "items": ref("step")},
 "partition_name": {"type": "string", "pattern": "^[!-~]{1,16}$"},
 "fs_path": {"description": "A path (or a link's target) of the file system: text of up to 1024 bytes without a 0 byte; the engine answers fs_path for one that breaks ECMA-419's subpath rules.",
             "type": "string", "maxLength": 1024},
 "fs_handle": {"description": "A file or directory handle's name: 1 to 16 bytes.", "type": "string", "minLength": 1, "maxLength": 16},
 "raw_args": obj({"partition": {"$ref": "#/$defs/partition_name"}}, ["partition"]),
}
# The file system's entry types and open modes (scenario_fs.c).
FS_TYPES = c_names("sim/scenario/scenario_fs.c", "type_names[]")
FS_MODES = c_names("sim/scenario/scenario_fs.c", "mode_names[]")
def expect(*kinds):
    alts = []
    for k in kinds:
        if k == "bytes": alts.append(obj({"value": ref("value")}, ["value"]))
        if k == "count": alts.append(obj({"value": U32}, ["value"]))
        if k == "bool": alts.append(obj({"value": {"type": "boolean"}}, ["value"]))
        if k == "absent": alts.append(obj({"absent": {"const": True}}, ["absent"]))
        if k == "status": alts.append(obj({"value": obj({f: U32 for f in c_names("sim/scenario/scenario_partitions.c", "figure_names[]")}) | {"minProperties": 1}}, ["value"]))
        if k == "names": alts.append(obj({"value": {"type": "array", "maxItems": 16, "items": ref("partition_name")}}, ["value"]))
        if k == "tdb_info": alts.append(obj({"value": obj({"size": U32, "flags": ref("tdb_flags")}, ["size"])}, ["value"]))
        if k == "fs_status": alts.append(obj({"value": obj({"type": {"enum": FS_TYPES}, "size": U32}, ["type"])}, ["value"]))
        if k == "fs_entries": alts.append(obj({"value": {"type": "object", "additionalProperties": {"enum": FS_TYPES[1:]}}}, ["value"]))
        if k == "items": alts.append(obj({"items": {"type": "array", "items": {"anyOf": [ref("value"), obj({"key": ref("key"), "value": ref("value")}, ["key", "value"])]}}}, ["items"]))
    alts.append(obj({"error": ref("error_name")}, ["error"]))
    return {"oneOf": alts}
stats = c_names("sim/scenario/scenario_names.c", "scenario_stat_names[]")
# Key-value formats, and the range of each integer format's values (scenario_kv.c).
KV_INTS = {"uint8": forms["u8"], "int8": forms["i8"], "uint16": forms["u16"], "int16": forms["i16"],
           "uint32": forms["u32"], "int32": forms["i32"], "uint64": forms["u64"], "int64": forms["i64"]}
KV_FORMATS = ["buffer", "string"] + list(KV_INTS)
kv_value_by_format = {"allOf": [{"if": {"properties": {"format": {"const": f}}, "required": ["format"]},
                                 "then": {"properties": {"value": r}}} for f, r in KV_INTS.items()] +
                               [{"if": {"properties": {"format": {"enum": ["buffer", "string"]}}, "required": ["format"]},
                                 "then": {"properties": {"value": ref("value")}}}]}
kv_any_value = {"anyOf": [{"type": "integer"}, ref("value")]}
ops = {
 "store": (obj({"key": ref("key"), "value": ref("value")}, ["key", "value"]), expect()),
 "fetch": (obj({"key": ref("key"), "capacity": rng(0, MAXV)}, ["key"]), expect("bytes", "absent")),
 "remove": (obj({"key": ref("key")}, ["key"]), expect()),
 "remove_all": (ref("no_args"), expect()),
 "has": (obj({"key": ref("key")}, ["key"]), expect("bool", "absent")),
 "txn": ({"enum": c_names("sim/scenario/scenario_txn.c", "txn_actions[")}, expect()),
 "count": (ref("no_args"), expect("count")),
 "iterate": (obj({"pop": {"type": "array", "items": U32}}), expect("items")),
 "erase_all": (ref("no_args"), expect()),
 "push": (obj({"value": ref("value"), "drop_oldest": {"type": "boolean"}}, ["value"]), expect()),
 "peek": (obj({"capacity": rng(0, MAXV)}), expect("bytes", "absent")),
 "pop": (obj({"capacity": rng(0, MAXV)}), expect("bytes", "absent")),
 "repeat": (obj({"times": rng(1, 1000000000), "steps": ref("steps")}, ["times", "steps"]), None),
 "random_ops": (obj({"ops": rng(1, 1000000000), "keys": rng(1, 1000000), "key_prefix": {"type": "string", "maxLength": 16},
                     "value_size": ref("size_range"), "every": ref("duration"),
                     "mix": obj({k: rng(0, 1000000) for k in ["store","fetch","remove","has","push","peek","pop"]})}, ["ops"]), None),
 "config_updates": (obj({"key": ref("key"), "every": ref("duration"), "count": rng(1, 1000000000), "for": ref("duration"),
                         "value_size": ref("size_range")}, ["key", "every"]) | {"oneOf": [{"required": ["count"]}, {"required": ["for"]}]}, None),
 "log_appends": (obj({"count": rng(1, 1000000000), "size": ref("size_range"), "every": ref("duration"),
                      "drop_oldest": {"type": "boolean"}}, ["count", "size"]), None),
 "sleep": (ref("duration"), None),
 "power_cut": (obj({"after_ops": rng(0, 4611686018427387904), "at": ref("duration"), "in": ref("duration"),
                    "torn_program": {"enum": TORN_PROGRAM},
                    "torn_erase": {"enum": TORN_ERASE}}) |
               {"not": {"anyOf": [{"required": ["after_ops", "at"]}, {"required": ["after_ops", "in"]}, {"required": ["at", "in"]}]}}, None),
 "power_on": (ref("mount_args"), expect()),
 "reboot": (ref("mount_args"), expect()),
 "flip_bit": (obj({"address": U32, "bit": rng(0, 7)}, ["address", "bit"]), None),
 "corrupt": (obj({"address": U32, "length": rng(1, MAXV), "value": ref("value")}, ["address"]) |
             {"oneOf": [{"required": ["length"]}, {"required": ["value"]}]}, None),
 "erase_sector": (obj({"sector": U32, "address": U32}) | {"oneOf": [{"required": ["sector"]}, {"required": ["address"]}]}, None),
 "expect_stats": (obj({s: ref("stat_bound") for s in stats}) | {"minProperties": 1}, None),
 "check": (ref("no_args"), None),
 "partitions": (ref("no_args"), expect("names")),
 "raw_open": (obj({"partition": ref("partition_name"), "mode": {"enum": ["r", "r+"]}}, ["partition"]), expect()),
 "raw_close": (ref("raw_args"), None),
 "raw_status": (ref("raw_args"), expect("status")),
 "raw_read": (obj({"partition": ref("partition_name"), "offset": U32, "count": rng(0, MAXV)}, ["partition", "offset", "count"]), expect("bytes")),
 "raw_write": (obj({"partition": ref("partition_name"), "offset": U32, "value": ref("value")}, ["partition", "offset", "value"]), expect()),
 "raw_erase": (obj({"partition": ref("partition_name"), "from": rng(-2147483648, 2147483647), "to": rng(-2147483648, 2147483647)},
                   ["partition", "from"]), expect()),
 "kv_open": (obj({"domain": ref("kv_name"), "mode": {"enum": ["r", "r+"]}}, ["domain"]), expect()),
 "kv_close": (obj({"domain": ref("kv_name")}, ["domain"]), expect()),
 "kv_read": (obj({"domain": ref("kv_name"), "key": ref("kv_name"), "format": {"enum": KV_FORMATS}}, ["domain", "key", "format"]),
             {"oneOf": [obj({"value": kv_any_value}, ["value"]), obj({"absent": {"const": True}}, ["absent"]),
                        obj({"error": ref("error_name")}, ["error"])]}),
 "kv_write": (obj({"domain": ref("kv_name"), "key": ref("kv_name"), "value": kv_any_value, "format": {"enum": KV_FORMATS}},
                  ["domain", "key", "value", "format"]) | kv_value_by_format, expect()),
 "kv_delete": (obj({"domain": ref("kv_name"), "key": ref("kv_name")}, ["domain", "key"]), expect("bool")),
 "kv_keys": (obj({"domain": ref("kv_name")}, ["domain"]), expect("items")),
 "map_get": (obj({"key": ref("key"), "capacity": rng(0, MAXV)}, ["key"]), expect("bytes", "absent")),
 "map_set": (obj({"key": ref("key"), "value": ref("value")}, ["key", "value"]), expect()),
 "map_has": (obj({"key": ref("key")}, ["key"]), expect("bool")),
 "map_delete": (obj({"key": ref("key")}, ["key"]), expect("bool")),
 "map_clear": (ref("no_args"), expect()),
 "map_size": (ref("no_args"), expect("count")),
 "map_keys": (ref("no_args"), expect("items")),
 "map_values": (ref("no_args"), expect("items")),
 "map_entries": (ref("no_args"), expect("items")),
 "map_flush": (ref("no_args"), expect()),
 "update_open": (obj({"mode": {"enum": ["a", "w"]}, "byte_length": U32}), expect()),
 "update_write": (obj({"image": obj({"version": rng(0, 255), "size": rng(32, MAXV), "seed": rng(0, 18446744073709551615),
                                     "bad_crc": {"type": "boolean"}}, ["version", "size"]),
                       "from": rng(0, MAXV), "count": rng(0, MAXV)}, ["image"]), expect()),
 "update_complete": (ref("no_args"), expect()),
 "update_close": (ref("no_args"), None),
 "boot": (ref("no_args"), expect()),
 "confirm": (ref("no_args"), expect()),
 "expect_image": (obj({"version": rng(0, 255), "none": {"type": "boolean"}, "test": {"type": "boolean"}}) |
                  {"anyOf": [{"required": ["version"]}, {"required": ["none"]}]}, None),
 "tdb_set": (obj({"key": ref("tdb_key"), "value": ref("value"), "flags": ref("tdb_flags")}, ["key", "value"]), expect()),
 "tdb_get": (obj({"key": ref("tdb_key"), "offset": U32, "size": rng(0, MAXV)}, ["key"]), expect("bytes", "absent")),
 "tdb_info": (obj({"key": ref("tdb_key")}, ["key"]), expect("tdb_info", "absent")),
 "tdb_remove": (obj({"key": ref("tdb_key")}, ["key"]), expect()),
 "tdb_reset": (ref("no_args"), expect()),
 "tdb_set_start": (obj({"key": ref("tdb_key"), "size": rng(0, MAXV), "flags": ref("tdb_flags")}, ["key", "size"]), expect()),
 "tdb_set_add": (obj({"value": ref("value")}, ["value"]), expect()),
 "tdb_set_finalize": (ref("no_args"), expect()),
 "tdb_set_abort": (ref("no_args"), expect()),
 "tdb_iter": (obj({"prefix": ref("tdb_key"),
                   "set": obj({"after": U32, "key": ref("tdb_key"), "value": ref("value"), "flags": ref("tdb_flags")},
                              ["after", "key", "value"], "a tdb_set made after this many keys, before the next step of the iterator")}),
              expect("items")),
 "tdb_reserved_set": (obj({"value": ref("value")}, ["value"]), expect()),
 "tdb_reserved_get": (ref("no_args"), expect("bytes", "absent")),
 "fs_mkdir": (obj({"path": ref("fs_path"), "at": ref("fs_handle")}, ["path"]), expect("bool")),
 "fs_delete": (obj({"path": ref("fs_path"), "at": ref("fs_handle")}, ["path"]), expect("bool")),
 "fs_move": (obj({"from": ref("fs_path"), "to": ref("fs_path"), "at": ref("fs_handle"), "to_at": ref("fs_handle")}, ["from", "to"]), expect()),
 "fs_status": (obj({"path": ref("fs_path"), "at": ref("fs_handle")}, ["path"]), expect("fs_status")),
 "fs_link": (obj({"path": ref("fs_path"), "target": ref("fs_path"), "at": ref("fs_handle")}, ["path", "target"]), expect()),
 "fs_readlink": (obj({"path": ref("fs_path"), "at": ref("fs_handle"), "capacity": rng(0, 1024)}, ["path"]), expect("bytes")),
 "fs_scan": (obj({"path": ref("fs_path"), "at": ref("fs_handle")}), expect("fs_entries")),
 "fs_open": (obj({"path": ref("fs_path"), "mode": {"enum": FS_MODES}, "handle": ref("fs_handle"), "at": ref("fs_handle")}, ["path", "mode", "handle"]), expect()),
 "fs_read": (obj({"handle": ref("fs_handle"), "offset": U32, "count": rng(0, MAXV)}, ["handle", "count"]), expect("bytes")),
 "fs_write": (obj({"handle": ref("fs_handle"), "offset": U32, "data": ref("value")}, ["handle", "data"]), expect()),
 "fs_file_status": (obj({"handle": ref("fs_handle")}, ["handle"]), expect("fs_status")),
 "fs_set_size": (obj({"handle": ref("fs_handle"), "size": U32}, ["handle", "size"]), expect()),
 "fs_flush": (obj({"handle": ref("fs_handle")}, ["handle"]), expect()),
 "fs_close": (obj({"handle": ref("fs_handle")}, ["handle"]), None),
 "fs_dir_open": (obj({"path": ref("fs_path"), "handle": ref("fs_handle"), "at": ref("fs_handle")}, ["path", "handle"]), expect()),
 "fs_dir_close": (obj({"handle": ref("fs_handle")}, ["handle"]), None),
}
step_alts = []
for name, (args, exp) in ops.items():
    props = {name: args, "comment": {"type": "string"}}
    if exp: props["expect"] = exp
    defs["step_" + name] = obj(props, [name])
    step_alts.append(ref("step_" + name))
defs["step"] = {"description": "An object with exactly one operation key, an optional expect and an optional comment.",
                "oneOf": step_alts}
presets = re.findall(r'\.name = "([^"]+)"', c_source("sim/nor/nor_presets.c"))
schema = {
 "$schema": "https://json-schema.org/draft/2020-12/schema",
 "$id": "https://norbench.invalid/scenarios/scenario.schema.json",
 "title": "norbench scenario",
 "description": "A norbench scenario: a NOR flash part, an engine on a range of it, and the steps to run. See scenarios/README.md. `norbench validate` also checks what a schema cannot: byte lengths of values, the engine range against the flash geometry, operations against the engine type, and addresses against the flash size.",
 "type": "object",
 "properties": {
  "name": {"type": "string", "pattern": "^[A-Za-z0-9._-]{1,64}$"},
  "description": {"type": "string"},
  "seed": rng(0, 18446744073709551615),
  "flash": obj({"preset": {"enum": presets}, "sectors": rng(1, 4294967295), "write_unit": {"enum": [1,2,4,8,16,32]},
                "page_size": rng(0, 1048576), "erase_value": {"enum": [0, 255]},
                "write_policy": {"enum": ["unlimited","limited","once","once_plus_zero"]},
                "max_writes_per_unit": rng(1, 127), "ecc": {"type": "boolean"}, "strict": {"type": "boolean"},
                "erase_preprogram": {"type": "boolean"},
                "timing": {"enum": ["typical","max","random"]}, "endurance": U32, "wear_fail_ppm": rng(0, 1000000),
                "image": {"type": "string", "minLength": 1,
                          "description": "A flash image (and IMAGE.json) to start from, relative to the scenario file."}}, ["preset"]),
  "engine": obj({"type": {"enum": ["map", "queue", "kv", "kvmap", "tdb", "fs", "naive-map", "plugin"]},
                 "key_rules": {"type": "boolean", "description": "type tdb: TDBStore's key rule (forbidden characters answer key_chars)."},
                 "library": {"type": "string", "minLength": 1,
                             "description": "type plugin: the engine plugin's shared object (docs/plugins.md), relative to the scenario file."},
                 "api": {"enum": ["map", "queue"], "description": "type plugin: which operations the scenario drives (default map)."},
                 "start": U32, "size": rng(1, 4294967295), "page_size": rng(1, 4294967295),
                 "cache": {"oneOf": [{"enum": ["all", "none"]}, {"type": "array", "uniqueItems": True, "items": {"enum": ["page_states","page_pointers","keys"]}}]},
                 "cache_max_keys": rng(1, 1000000), "cache_check": {"type": "boolean"},
                 "partition": {"$ref": "#/$defs/partition_name", "description": "the partition the engine's range is (instead of start and size)"},
                 "write_back": obj({"ram": rng(1, 16 * MAXV), "threshold": U32}, ["ram"],
                                   "type kvmap: the write-back variant, with this much RAM for its keys and values and a flush whenever the dirty bytes reach threshold (0 or absent: map_flush only)")}, ["type"]),
  "steps": ref("steps"),
  "cut": obj({"op": rng(0, 4611686018427387904),
              "torn_program": {"enum": TORN_PROGRAM},
              "torn_erase": {"enum": TORN_ERASE},
              "recovery": obj({"op": rng(0, 4611686018427387904),
                               "torn_program": {"enum": TORN_PROGRAM},
                               "torn_erase": {"enum": TORN_ERASE}}, ["op"]),
              "then_steps": rng(0, 4611686018427387904)}, ["op"],
             "A placed power cut, as power-cut campaigns write into their reproducers (docs/powercut.md)."),
  "partitions": {"type": "array", "maxItems": 16, "description": "Named ranges of whole sectors (no overlaps) for engine.partition and the raw steps.",
                 "items": obj({"name": ref("partition_name"), "start": U32, "size": rng(1, 4294967295),
                               "read_only": {"type": "boolean", "description": "raw access only in mode r"}}, ["name", "start", "size"])},
  "matrix": obj({"preset": {"type": "array", "minItems": 1, "maxItems": 16, "uniqueItems": True,
                            "items": {"enum": presets}}}, ["preset"],
                "Run the scenario once per preset, each a result named NAME[preset=P]."),
 },
 "required": ["name", "flash", "engine", "steps"],
 "additionalProperties": False,
 "$defs": defs,
}
print(json.dumps(schema, indent=2))
