#!/usr/bin/env python3
"""Writes the seed corpora under fuzz/corpus/: small inputs that each exercise one thing the
targets decode (see the header comment of each fuzz_<target>.c for the byte layout).

  python3 fuzz/make_seeds.py [BUILD]

map, queue, kvmap, nor and tdb seeds are written from the descriptions below; scenario seeds are the
short scenarios of scenarios/suite and scenarios/examples; with BUILD (a plain build holding
fuzz/fuzz_map_replay and fuzz/fuzz_queue_replay), the image seeds are the flash images the
map and queue seeds leave behind. Seeds kept from fixed findings (finding-*) are left alone."""
import os
import pathlib
import shutil
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
ROOT = HERE.parent

# Geometry indices of fuzz_geometry.c.
TINY, SAMD21, STM32L4, NRF52840, UNIT1_ECC, UNIT32_ECC, TINY_ZERO, W25Q16 = range(8)
GEOMETRY_NAMES = ["tiny", "samd21", "stm32l4", "nrf52840", "unit1-ecc", "unit32-ecc",
                  "tiny-erase0", "w25q16jv"]
ALL_CACHES = 7

# Value styles of fuzz_input_value: 0 all 0xFF, 1 all 0x00, 2 counting, 3 bytes from the input.
COUNTING = 2


def cut(after_ops, torn_program, torn_erase):
    """Arms a cut: opcode 27 (map) / 27 (queue), operations to wait, torn modes."""
    return [27, after_ops, torn_program + 5 * torn_erase]


def no_recovery_cut():
    """What the recovery after a landed cut reads first: 1 = no cut inside the mount."""
    return [1]


# ---- map ---------------------------------------------------------------------------------

def map_header(geometry, pages, caches, max_keys=8):
    return [geometry, pages - 2, caches, max_keys - 1]


def store(key, size, style=COUNTING):
    return [0, key, size, style]


def remove(key):
    return [12, key]


def fetch(key):
    return [18, key, 1]


MAP_VERIFY, MAP_REMOUNT, MAP_REMOVE_ALL = [25], [30], [17]


def txn(writes):
    """A transaction (opcode 240): 1..6 writes, each (key, size) a store of a short counting
    value (size 1..16, not a multiple of 4), or (key, None) a removal."""
    out = [240, len(writes) - 1]
    for key, size in writes:
        out += [key, 0, COUNTING] if size is None else [key, size, COUNTING]
    return out


def map_seeds():
    seeds = {}
    for g, name in enumerate(GEOMETRY_NAMES):
        ops = store(1, 8) + store(2, 16) + fetch(1) + store(1, 3) + remove(2) + fetch(2)
        ops += MAP_VERIFY + MAP_REMOUNT
        seeds[f"basics-{name}"] = map_header(g, 3, ALL_CACHES) + ops
        churn = []
        for i in range(24):
            churn += store(i % 5, 12 + i % 5)
        seeds[f"gc-churn-{name}"] = map_header(g, 2 + g % 3, g % 8) + churn + MAP_VERIFY
    for prog in range(5):
        for erase in range(4):
            ops = store(1, 10) + store(2, 10) + cut(1 + prog + erase, prog, erase)
            for i in range(12):
                ops += store(i % 4, 14) + no_recovery_cut()
            seeds[f"cut-prog{prog}-erase{erase}"] = map_header(TINY, 3, prog % 8) + ops
    recovery = store(1, 8) + cut(0, 4, 2) + store(2, 8) + [0, 2, 1] + [0, 2, 5]
    seeds["cut-inside-recovery"] = map_header(UNIT1_ECC, 3, ALL_CACHES) + recovery + MAP_VERIFY
    seeds["remove-all-cut"] = (map_header(SAMD21, 4, ALL_CACHES) + store(1, 4) + store(2, 4) +
                               cut(0, 3, 1) + MAP_REMOVE_ALL + no_recovery_cut() + MAP_VERIFY)
    seeds["long-keys-too-big"] = (map_header(TINY, 4, 0) + store(19, 255) + store(18, 200, 3) +
                                  [7] * 4 + store(16, 40) + MAP_VERIFY)
    for g, name in enumerate(GEOMETRY_NAMES):
        ops = store(1, 5) + txn([(2, 7), (3, 9), (1, None)]) + fetch(2) + MAP_VERIFY
        for i in range(10):
            ops += txn([(i % 4, 5 + i % 3), (4 + i % 3, 6)]) + store(i % 5, 13)
        seeds[f"txn-{name}"] = map_header(g, 2 + g % 3, g % 8) + ops + MAP_VERIFY + MAP_REMOUNT
    for prog in range(5):
        ops = store(1, 6) + cut(1 + prog, prog, 1) + txn([(2, 9), (3, 10), (1, None)])
        seeds[f"txn-cut-prog{prog}"] = map_header(TINY, 3, ALL_CACHES) + ops + no_recovery_cut() + MAP_VERIFY
    seeds["key-table-incomplete"] = (map_header(STM32L4, 3, ALL_CACHES, 1) + store(3, 5) +
                                     store(4, 5) + store(5, 5) + fetch(9) + MAP_REMOUNT)
    return seeds


# ---- kv (domains over a map; fuzz_kv.c) -------------------------------------------------

KV_BUFFER, KV_STRING, KV_UINT8, KV_UINT32, KV_INT64 = 1, 2, 3, 7, 10
KV_WIDTHS = {KV_UINT8: 1, KV_UINT32: 4, KV_INT64: 8}


def kv_open(slot, name, writable=True):
    return [0, slot, name, 1 if writable else 0]


def kv_close(slot):
    return [5, slot]


def kv_write(slot, key, fmt, size=5):
    """A write: an integer of its format's width, or a buffer/string of `size` (< 24) bytes."""
    return [7, slot, key, fmt, 0 if fmt in KV_WIDTHS else size, COUNTING]


def kv_read(slot, key, fmt=0):
    return [14, slot, key, fmt, 1]


def kv_delete(slot, key):
    return [18, slot, key]


def kv_txn(writes, abort=False):
    """writes: (slot, key, fmt) a write of a 6-byte buffer or an integer, (slot, key, None) a
    delete."""
    out = [21, len(writes) - 1]
    for slot, key, fmt in writes:
        if fmt is None:
            out += [slot, key, 0, KV_BUFFER, 6, COUNTING]
        else:
            out += [slot, key, 1, fmt - 1] + ([] if fmt in KV_WIDTHS else [6]) + [COUNTING]
    return out + [0 if abort else 1]


KV_KEYS, KV_DOMAINS, KV_ERASE_ALL, KV_REMOUNT = [23, 0], [23, 0x80], [25], [29]


def kv_seeds():
    seeds = {}
    for g, name in enumerate(GEOMETRY_NAMES):
        ops = kv_open(0, 1) + kv_open(1, 2) + kv_open(2, 1, writable=False)
        ops += kv_write(0, 1, KV_UINT32) + kv_write(1, 1, KV_STRING, 9) + kv_write(2, 3, KV_BUFFER)
        ops += kv_read(0, 1, KV_UINT32) + kv_read(0, 1, KV_STRING) + kv_read(1, 1) + kv_delete(0, 1)
        ops += kv_delete(0, 1) + KV_KEYS + KV_DOMAINS + kv_close(2) + kv_read(2, 1) + KV_REMOUNT
        ops += kv_open(3, 2, writable=False) + kv_read(3, 1, KV_STRING) + kv_open(3, 0, writable=False)
        seeds[f"domains-{name}"] = map_header(g, 3, g % 8) + ops
        txn_ops = kv_open(0, 1) + kv_open(1, 3) + kv_write(0, 2, KV_INT64)
        for i in range(6):
            txn_ops += kv_txn([(0, 2, KV_UINT8), (1, 4 + i % 3, KV_BUFFER), (0, 1 + i % 2, None)],
                              abort=i == 3)
        seeds[f"txn-{name}"] = map_header(g, 2 + g % 3, ALL_CACHES) + txn_ops + KV_KEYS + KV_REMOUNT
    for prog in range(5):
        ops = kv_open(0, 1) + kv_write(0, 1, KV_UINT32) + cut(1 + prog, prog, prog % 4)
        for i in range(8):
            ops += kv_write(0, i % 3, KV_BUFFER, 10 + i) + no_recovery_cut() + kv_open(0, 1)
        ops += kv_txn([(0, 1, KV_UINT8), (0, 2, None)]) + kv_read(0, 1)
        seeds[f"cut-prog{prog}"] = map_header(TINY, 3, prog % 8) + ops
    seeds["erase-all-closes"] = (map_header(SAMD21, 4, ALL_CACHES) + kv_open(0, 1) + kv_open(1, 2) +
                                 kv_write(0, 1, KV_UINT8) + KV_ERASE_ALL + kv_read(0, 1) +
                                 kv_write(1, 1, KV_UINT8) + kv_open(0, 1) + KV_DOMAINS)
    seeds["long-name-and-key"] = (map_header(TINY, 3, 0) + kv_open(0, 4) + kv_open(1, 3) +
                                  kv_write(1, 11, KV_UINT8) + kv_write(1, 10, KV_BUFFER, 23))
    return seeds


# ---- raw (partition tables and raw access; fuzz_raw.c) ----------------------------------

def raw_table(geometry, parts, larger=False):
    """parts: (name choice, start sector, size in sectors, read_only) each, in whole sectors of
    the first run (name choices: 0 boot, 1 a, 2 slot-b, 3 longest, 4 too long, 5 a space,
    6 empty, 7 a byte past 0x7E; 240 + j repeats partition j's name)."""
    out = [geometry, 1 if larger else 0, len(parts)]
    for name, start, sectors, read_only in parts:
        out += [name, start, sectors - 1, 0 if read_only else 1]
    return out


def raw_open(slot, writable=True):
    return [0, slot, 1 if writable else 0]


def raw_write(slot, offset_units, count_units, style=COUNTING):
    return [7, slot, 0, offset_units, 0, count_units, style]


def raw_read(slot, offset_units, count):
    return [4, slot, 0, offset_units, count]


def raw_erase(slot, first, blocks):
    return [11, slot, first + 1, blocks, 0]


RAW_STATUS, RAW_CLOSE = [3], [2]


def raw_cut(after_ops, torn_program, torn_erase):
    return [13, after_ops, torn_program + 5 * torn_erase]


def raw_seeds():
    seeds = {}
    for g, name in enumerate(GEOMETRY_NAMES):
        table = raw_table(g, [(0, 0, 1, False), (2, 1, 2, False), (1, 3, 1, True)])
        ops = raw_open(0) + RAW_STATUS + [0] + raw_write(0, 1, 2) + raw_read(0, 0, 40)
        ops += raw_write(0, 1, 2) + raw_read(0, 1, 16) + raw_erase(0, 0, 1) + raw_read(0, 0, 16)
        ops += raw_open(1) + raw_write(1, 0, 3) + raw_cut(0, g % 5, g % 4) + raw_write(1, 3, 3)
        ops += raw_read(1, 0, 64) + raw_cut(0, 4, 2) + raw_erase(1, 0, 2) + raw_read(1, 0, 64)
        ops += raw_open(2) + raw_open(2, writable=False) + raw_read(2, 0, 8) + raw_write(2, 0, 1)
        ops += RAW_CLOSE + [0] + raw_read(0, 0, 8)
        seeds[f"basics-{name}"] = table + ops
    bad_tables = {
        "overlap": [(0, 0, 2, False), (1, 1, 1, False)],
        "repeated-name": [(0, 0, 1, False), (240, 1, 1, False)],
        "name-too-long": [(4, 0, 1, False)],
        "name-space": [(1, 0, 1, False), (5, 1, 1, False)],
        "past-the-end": [(0, 3, 9, False)],
    }
    for label, parts in bad_tables.items():
        seeds[f"table-{label}"] = raw_table(0, parts)
    seeds["larger-sectors-no-view"] = (raw_table(1, [(0, 0, 2, False), (1, 8, 4, False)], larger=True)
                                       + raw_open(0) + raw_open(1) + RAW_STATUS + [1])
    return seeds


# ---- queue -------------------------------------------------------------------------------

def queue_header(geometry, pages, caches):
    return [geometry, pages - 2, caches]


def push(size, style=COUNTING):
    return [0, size, style]


def push_drop(size, style=COUNTING):
    return [10, size, style]


QUEUE_POP, QUEUE_PEEK, QUEUE_COUNT, QUEUE_VERIFY, QUEUE_REMOUNT = [14, 1], [19, 1], [24], [25], [30]


def iterate_popping(mask):
    return [21] + list(mask.to_bytes(4, "little"))


def queue_seeds():
    seeds = {}
    for g, name in enumerate(GEOMETRY_NAMES):
        ops = push(5) + push(16) + push(0) + QUEUE_PEEK + QUEUE_POP + iterate_popping(0b10)
        ops += QUEUE_COUNT + QUEUE_VERIFY + QUEUE_REMOUNT
        seeds[f"basics-{name}"] = queue_header(g, 3, 3) + ops
        fill = []
        for _ in range(30):
            fill += push(14)
        fill += [0, 255, COUNTING] + push_drop(40) + push_drop(16) + QUEUE_VERIFY
        seeds[f"fill-drop-oldest-{name}"] = queue_header(g, 2 + g % 4, g % 4) + fill
    for prog in range(5):
        for erase in range(4):
            ops = push(8) + push(8) + cut(1 + prog + erase, prog, erase)
            for i in range(10):
                ops += (push(12) if i % 3 else QUEUE_POP) + no_recovery_cut()
            seeds[f"cut-prog{prog}-erase{erase}"] = queue_header(TINY, 4, prog % 4) + ops
    pops = []
    for _ in range(9):
        pops += push(6)
    pops += iterate_popping(0b1011001) + QUEUE_REMOUNT + QUEUE_POP * 3 + QUEUE_VERIFY
    seeds["iterate-pop-middle"] = queue_header(TINY, 4, 0) + pops
    seeds["largest-fit"] = (queue_header(NRF52840, 2, 3) + [0, 255, 3] + [0, 254, 3] +
                            QUEUE_COUNT + QUEUE_VERIFY)
    return seeds


# ---- nor ---------------------------------------------------------------------------------

def nor_config(unit_log2, regions, rules, page_shift=0, max_writes=2):
    """regions: [(size_log2 - 4, count - 1), ...]; rules: bit 0 SPI page, 1 erase value 0x00,
    2-3 policy (0 unlimited, 1 limited, 2 once, 3 once+zero), 4 ECC, 5 strict, 6 erase
    pre-program."""
    out = [unit_log2, len(regions) - 1]
    for size, count in regions:
        out += [size, count]
    out.append(rules)
    if rules & 1:
        out.append(page_shift)
    if (rules >> 2 & 3) == 1:
        out.append(max_writes - 1)
    return out


def nor_program(addr, length, style=COUNTING, aligned=True):
    return [3, addr, 1 if aligned else 0, length, style]


def nor_read(addr, length):
    return [0, addr, 1, length]


def nor_erase(addr):
    return [7, addr, 1, 1]


NOR_PEEK, NOR_CUT_NOW, NOR_POWER_ON, NOR_SNAPSHOT, NOR_RESTORE = [10], [12], [13], [14], [15]


NOR_TORN_PROGRAM_MODES = 9  # nor_torn_program: none ... metastable, early, middle, late, spread


def nor_cut(ops, prog, erase):
    return [11, ops, prog + NOR_TORN_PROGRAM_MODES * erase]


def nor_seeds():
    seeds = {}
    policies = {"unlimited": 0, "limited": 1 << 2, "once": 2 << 2, "once-zero": 3 << 2}
    for name, policy in policies.items():
        for unit in (0, 2, 5):
            cfg = nor_config(unit, [(2, 3)], policy | (16 if policy >= 8 else 0))
            ops = (nor_program(0, 32) + nor_program(0, 32, 1) + nor_program(0, 32, 0) +
                   nor_read(0, 36) + nor_erase(0) + nor_read(0, 16) + NOR_PEEK)
            seeds[f"rules-{name}-unit{1 << unit}"] = cfg + ops
    seeds["strict-violation"] = nor_config(2, [(1, 1)], 32) + nor_program(0, 8, 1) + \
        nor_program(0, 8, 0) + NOR_PEEK
    seeds["erase-to-zero-or"] = nor_config(0, [(1, 1)], 2) + nor_program(3, 9, 3) + \
        [9, 3, 7, 9, 3] + NOR_PEEK
    seeds["spi-page-wrap"] = nor_config(0, [(4, 1)], 1, 2) + \
        nor_program(60, 0x80, COUNTING) + [200 % 256] + nor_read(0, 0x80) + NOR_PEEK
    seeds["two-regions"] = nor_config(2, [(1, 1), (3, 0)], 0) + nor_erase(40) + nor_erase(32) + \
        nor_program(30, 8) + NOR_PEEK
    for prog in range(5):
        for erase in range(4):
            ops = nor_program(0, 16) + nor_cut(1, prog, erase) + nor_program(16, 16) + \
                nor_erase(0) + NOR_POWER_ON + nor_read(0, 32) + nor_program(0, 16) + NOR_PEEK
            seeds[f"torn-prog{prog}-erase{erase}"] = nor_config(2, [(2, 1)], 16 | 8) + ops
    # The progress modes (early, middle, late, spread), alone and with a pre-programming erase,
    # on internal flash with ECC words and on an SPI page; a second power-on lets weak bits
    # settle, a program over torn words makes weak ones solid.
    for step in range(4):
        prog, erase = 5 + step, 4 + step
        ops = nor_program(0, 16) + nor_cut(1, prog, erase) + nor_program(16, 16) + \
            nor_erase(0) + NOR_POWER_ON + nor_read(0, 32) + NOR_POWER_ON + nor_read(0, 32) + \
            nor_program(16, 16, 0) + nor_read(0, 32) + NOR_PEEK
        seeds[f"torn-prog{prog}-erase{erase}"] = nor_config(2, [(2, 1)], 16 | 8) + ops
        seeds[f"torn-prog{prog}-erase{erase}-preprogram"] = \
            nor_config(2, [(2, 1)], 64 | 16 | 8) + ops
        seeds[f"torn-prog{prog}-spi-page"] = nor_config(0, [(4, 1)], 1, 1) + ops
    seeds["snapshot-restore"] = nor_config(0, [(0, 3)], 0) + nor_program(0, 8) + NOR_SNAPSHOT + \
        nor_erase(0) + NOR_CUT_NOW + nor_program(0, 4) + NOR_RESTORE + nor_read(0, 8)
    return seeds


# ---- kvmap ---------------------------------------------------------------------------------

def kvmap_header(geometry, write_back, ram_byte, stage_quarters, threshold_byte):
    """The map store's header, then the Map's mode, RAM (64 + 8 * b bytes), staging (quarters of
    a page) and threshold (4 * b dirty bytes) bytes."""
    return map_header(geometry, 3, 0) + [int(write_back), ram_byte, stage_quarters, threshold_byte]


def kvmap_set(key, size, style=COUNTING):
    return [0, key, size, style]


def kvmap_delete(key):
    return [5, key]


KVMAP_CLEAR, KVMAP_ENTRIES, KVMAP_FLUSH, KVMAP_REBOOT = [7], [10], [11], [15]


def kvmap_reads(key):
    return [8, key]


def kvmap_cut(after_ops, torn_program, torn_erase):
    return [13, after_ops, torn_program + 5 * torn_erase]


def kvmap_seeds():
    ops = (kvmap_set(0, 5) + kvmap_set(1, 0) + kvmap_reads(1) + kvmap_set(2, 9) + kvmap_delete(0) + kvmap_delete(0)
           + KVMAP_ENTRIES + KVMAP_FLUSH + kvmap_set(2, 3) + kvmap_delete(1) + KVMAP_REBOOT + kvmap_reads(2)
           + KVMAP_CLEAR + kvmap_set(3, 7) + KVMAP_FLUSH + KVMAP_REBOOT + KVMAP_ENTRIES)
    seeds = {"basics-through": kvmap_header(TINY, False, 10, 0, 0) + ops,
             "basics-write-back": kvmap_header(TINY, True, 40, 2, 0) + ops,
             "basics-write-back-no-stage": kvmap_header(SAMD21, True, 40, 0, 0) + ops,
             "threshold": kvmap_header(TINY, True, 60, 1, 8) + ops * 3,
             "ram-full": kvmap_header(TINY, True, 0, 2, 0) + kvmap_set(0, 20) + kvmap_set(1, 23)
             + kvmap_set(2, 23) + kvmap_set(3, 23) + KVMAP_ENTRIES + KVMAP_FLUSH + kvmap_delete(1) + kvmap_set(4, 23)}
    churn = []
    for i in range(12):
        churn += kvmap_set(i % 5, 5 + i) + kvmap_delete((i + 2) % 5)
    for prog in range(5):
        seeds[f"cut-write-back-prog{prog}"] = (kvmap_header(TINY, True, 80, 1, 0) + churn
                                               + KVMAP_FLUSH + churn + kvmap_cut(prog * 2, prog, 0)
                                               + KVMAP_FLUSH + no_recovery_cut() + KVMAP_ENTRIES)
        seeds[f"cut-through-prog{prog}"] = (kvmap_header(TINY, False, 0, 0, 0)
                                            + kvmap_cut(prog * 3, prog, 0) + churn
                                            + no_recovery_cut() + KVMAP_ENTRIES)
    seeds["cut-threshold"] = (kvmap_header(TINY, True, 120, 3, 10) + churn + kvmap_cut(3, 2, 0)
                              + churn + no_recovery_cut() + churn)
    return seeds


# ---- tdb (the TDBStore-shaped store; fuzz_tdb.c) -----------------------------------------

TDB_KEYS = {"a": 0, "a.b": 1, "a.c": 2, "b": 3, "bb": 4, "c-x": 5, "c:x": 6}
TDB_PREFIXES = {"": 0, "a": 1, "a.": 2, "b": 3}
TDB_CHECK, TDB_RESET, TDB_REMOUNT = [17, 0], [26], [30]


def tdb_header(geometry, pages, caches, key_rules=True):
    return [geometry, pages - 2, caches, 7, 1 if key_rules else 0]


def u16(n):
    return [n & 0xFF, n >> 8]


def tdb_length(size, bound):
    """A value length as fuzz_tdb.c's new_value reads it: below 40 in the choice byte, else
    choice 200 and fuzz_input_below(bound) (a byte up to 256, else two)."""
    if size < 40:
        return [size]
    return [200] + (u16(size) if bound > 256 else [size])


def tdb_set(key, size, write_once=False, max_plain=200):
    return [0, TDB_KEYS[key]] + tdb_length(size, max_plain + 5) + [0 if write_once else 1, COUNTING]


def tdb_set_incrementally(key, size, pieces, ending=3):
    """Opcode 7: the pieces (each at most 1500 bytes) add up to size; ending 3 finalizes, 2
    aborts, 16 ends one byte short (then the pieces add up to size - 1)."""
    out = [7, TDB_KEYS[key]] + tdb_length(size, 6001) + [1, COUNTING, ending]
    left = size - 1 if ending % 16 == 0 and size else size
    for piece in pieces:
        bound = min(left, 1500)
        out += u16(piece - 1) if bound > 256 else [piece - 1]
        left -= piece
    return out


def tdb_get(key, offset, capacity, size):
    width = u16 if size + 3 > 256 else (lambda n: [n])
    return [12, TDB_KEYS[key]] + width(offset) + width(capacity)


def tdb_remove(key):
    return [19, TDB_KEYS[key]]


def tdb_iterate(prefix, write_key=None):
    if write_key is None:
        return [22, TDB_PREFIXES[prefix], 1]
    return [22, TDB_PREFIXES[prefix], 0, TDB_KEYS[write_key], 3, COUNTING]


def tdb_reserved(size):
    return [24, size, COUNTING]


def tdb_seeds():
    seeds = {}
    for g, name in enumerate(GEOMETRY_NAMES):
        ops = tdb_set("a", 12) + tdb_set("a.b", 5, write_once=True) + tdb_set("c:x", 3)
        ops += tdb_get("a", 4, 6, 12) + TDB_CHECK + tdb_remove("a.b") + tdb_set("a.b", 2)
        ops += tdb_iterate("a") + tdb_iterate("", write_key="bb") + tdb_reserved(16)
        ops += tdb_reserved(4) + tdb_remove("a") + TDB_REMOUNT + TDB_RESET + TDB_REMOUNT
        seeds[f"basics-{name}"] = tdb_header(g, 5, g % 8, key_rules=g % 2 == 0) + ops
    # Chunked values (past the largest plain value of a 512-byte page): set, read at offsets,
    # replaced, aborted, ended short, replaced by a plain value, removed.
    big = tdb_set_incrementally("b", 600, [200, 200, 200])
    big += tdb_get("b", 480, 40, 600) + tdb_get("b", 0, 602, 600)
    big += tdb_set_incrementally("b", 540, [540]) + TDB_REMOUNT
    big += tdb_set_incrementally("a", 560, [300, 260], ending=2)
    big += tdb_set_incrementally("a", 560, [300, 259], ending=16)
    big += tdb_set("b", 20) + tdb_set_incrementally("b", 530, [530]) + tdb_remove("b") + TDB_REMOUNT
    seeds["chunked-unit1-ecc"] = tdb_header(UNIT1_ECC, 5, ALL_CACHES) + big
    for prog in range(5):
        for at in (2, 9, 17, 30):
            ops = tdb_reserved(8) + tdb_set_incrementally("b", 560, [280, 280])
            ops += cut(at, prog, prog % 4) + tdb_set_incrementally("b", 530, [530])
            ops += no_recovery_cut() + TDB_CHECK + TDB_REMOUNT
            seeds[f"cut-set-prog{prog}-at{at}"] = tdb_header(UNIT1_ECC, 5, prog % 8) + ops
    for at in (0, 3, 8):
        ops = tdb_set("a", 10) + tdb_set_incrementally("b", 300, [300]) + cut(at, 0, 0)
        ops += TDB_RESET + no_recovery_cut() + TDB_CHECK + TDB_REMOUNT
        seeds[f"cut-reset-at{at}"] = tdb_header(TINY_ZERO, 5, 0) + ops
    return seeds


# ---- fs (the file system; fuzz_fs.c) -------------------------------------------------------

# Block bytes the file system chooses on each fuzz geometry (engine/SPEC.md 12; a run of
# fuzz_fs_replay on seed-basics-* checks them: a write's length argument is one byte when
# 2 * block + 16 <= 256, else two).
FS_BLOCK = {TINY: 64, SAMD21: 64, STM32L4: 256, NRF52840: 512, UNIT1_ECC: 64, UNIT32_ECC: 128,
            TINY_ZERO: 64, W25Q16: 512}
FS_NAMES = {"a": 0, "b": 1, "c": 2, "dd": 3}
FS_ROOT_BASE = 3  # pick_base: 0..2 a directory slot, 3..5 the root
FS_GOOD_PATH = 7  # make_path's form byte for a path that keeps every rule
FS_COUNTING = 2


def below(n, bound):
    """fuzz_input_below's bytes for n < bound."""
    if bound <= 0x100:
        return [n]
    if bound <= 0x10000:
        return u16(n)
    return list(n.to_bytes(4, "little"))


def fs_path(path, form=FS_GOOD_PATH):
    """make_path's bytes: form, depth - 1, a name index per name ("" is form 0 with one name;
    form 2 adds a trailing "/", form 3 joins the names with "//")."""
    if path == "":
        return [0, 0, 0]
    parts = path.split("/")
    return [form, len(parts) - 1] + [FS_NAMES[p] for p in parts]


class FsSeed:
    """One fuzz_fs input: the map header, then calls; tracks the file sizes the slots see so
    that arguments bounded by a size take the right number of bytes."""

    def __init__(self, geometry, pages, caches=0):
        self.bb = FS_BLOCK[geometry]
        self.out = map_header(geometry, pages, caches)
        self.sizes = {}  # path -> size
        self.slots = {}  # file slot -> path

    def mkdir(self, path, base=FS_ROOT_BASE):
        self.out += [15, base] + fs_path(path)
        return self

    def delete(self, path, base=FS_ROOT_BASE):
        self.out += [17, base] + fs_path(path)
        return self

    def move(self, src, dst):
        self.out += [19, FS_ROOT_BASE, FS_ROOT_BASE] + fs_path(src) + fs_path(dst)
        if src in self.sizes:
            self.sizes[dst] = self.sizes.pop(src)
        return self

    def link(self, path, target_len):
        self.out += [21, FS_ROOT_BASE] + fs_path(path) + [2, target_len - 1] + [i % 5 for i in range(target_len)]
        return self

    def readlink(self, path, capacity):
        self.out += [22, FS_ROOT_BASE] + fs_path(path) + [capacity]
        return self

    def status(self, path, form=FS_GOOD_PATH):
        self.out += [23, FS_ROOT_BASE] + fs_path(path, form)
        return self

    def scan(self, path, entries, inside=None):
        """A scan of path holding `entries` entries (a name buffer with room for each, and for
        the end); `inside` (a call's bytes) runs after the first entry instead."""
        self.out += [24, FS_ROOT_BASE] + fs_path(path) + [0 if inside else 1]
        self.out += [1] + inside if inside else [1] * (entries + 1)
        return self

    def dir_open(self, slot, path):
        self.out += [25, FS_ROOT_BASE, slot] + fs_path(path)
        return self

    def open(self, slot, path, mode):
        """mode 0 r, 1 r+, 2 w, 3 w+ (w, w+ truncate or create)."""
        self.out += [7, FS_ROOT_BASE, slot, mode] + fs_path(path)
        self.slots[slot] = path
        if mode >= 2:
            self.sizes[path] = 0
        return self

    def write(self, slot, length, at="start", gap=0):
        """at: "start" (offset 0), "end" (the file's size), "gap" (size + gap)."""
        path = self.slots[slot]
        size = self.sizes.get(path, 0)
        where = {"start": 0, "end": 1, "gap": 3}[at]
        self.out += [0, slot, where] + below(length - 1, 2 * self.bb + 16)
        offset = 0 if at == "start" else size
        if at == "gap":
            self.out += below(gap, 2 * self.bb)
            offset = size + gap
        self.out += [FS_COUNTING]
        self.sizes[path] = max(size, offset + length)
        return self

    def read(self, slot, offset, count):
        size = self.sizes.get(self.slots[slot], 0)
        self.out += [5, slot, 1] + below(offset, size + 3) + below(count, 2 * self.bb + 8)
        return self

    def set_size(self, slot, size):
        old = self.sizes.get(self.slots[slot], 0)
        if size == 0:
            self.out += [12, slot, 0]
        elif size <= old:
            self.out += [12, slot, 2] + below(size, old + 1)
        else:
            self.out += [12, slot, 5] + below(size - old, 2 * self.bb)
        self.sizes[self.slots[slot]] = size
        return self

    def simple(self, *codes):
        """Calls of one or two bytes: [10, slot] close, [11, slot] status, [14, slot] flush,
        [26, slot] directory close, [30] remount, [31] check."""
        self.out += list(codes)
        return self

    def cut(self, after_ops, torn_program, torn_erase):
        """Arms a cut; the calls after it run until it lands (then recovered())."""
        self.out += cut(after_ops, torn_program, torn_erase)
        return self

    def recovered(self, read_only_first=False):
        """The recovery's bytes: a read-only look first (2) or not (1), no cut inside the mount
        (1), none inside the init (1)."""
        self.out += [2 if read_only_first else 1, 1, 1]
        self.slots = {}
        return self


def fs_seeds():
    seeds = {}
    for g, name in enumerate(GEOMETRY_NAMES):
        s = FsSeed(g, 5 if g in (TINY, SAMD21, TINY_ZERO) else 3, g % 8)
        s.mkdir("a").mkdir("a/b").open(0, "a/c", 3).write(0, 100).write(0, 7, "gap", s.bb)
        s.read(0, 3, 40).status("a/c").link("c", 5).readlink("c", 2).readlink("c", 30)
        s.scan("", 2).scan("a", 2).move("a/c", "dd").move("a", "a/b/c").delete("a").delete("a/b")
        s.open(1, "dd", 1).set_size(1, 20).write(1, 9, "end").simple(11, 1, 14, 1, 10, 0)
        s.status("a", form=2).status("a/b", form=3).simple(30, 31)  # "a/", "a//b": bad paths
        seeds[f"basics-{name}"] = s.out
    # A cut in a write of three blocks over old data, at each of its first flash operations and
    # in each torn program mode: after it the file is as before or as after, whole.
    for at in range(0, 24, 2):
        s = FsSeed(TINY, 5)
        s.open(0, "a", 3).write(0, 140).cut(at, at % 5, 0).write(0, 130, "start")
        seeds[f"cut-write-at{at}"] = s.recovered(read_only_first=at % 4 == 2).simple(31, 30).out
    # Cuts at each flash operation of a delete, a move and a truncate (3 or 4 each), and in a
    # shrink inside a block (about 15: the block rewritten under a new id, then the record).
    for at in (0, 1, 2, 3):
        s = FsSeed(SAMD21, 5)
        s.mkdir("a").open(0, "a/b", 2).write(0, 90).cut(at, 1, 1).delete("a/b")
        seeds[f"cut-delete-at{at}"] = s.recovered(read_only_first=at == 2).simple(31).out
        s = FsSeed(SAMD21, 5)
        s.mkdir("a").mkdir("b").open(0, "a/c", 2).write(0, 30).cut(at, 2, 0).move("a/c", "b/c")
        seeds[f"cut-move-at{at}"] = s.recovered().simple(31).out
        s = FsSeed(TINY_ZERO, 5)
        s.open(0, "a", 3).write(0, 80).cut(at, 0, 2).open(1, "a", 2)
        seeds[f"cut-truncate-at{at}"] = s.recovered().simple(31).out
    for at in (1, 4, 9, 13):
        s = FsSeed(UNIT1_ECC, 4)
        s.open(0, "a", 3).write(0, 140).cut(at, 3, 0).set_size(0, 70)
        seeds[f"cut-set-size-at{at}"] = s.recovered().simple(31).out
    s = FsSeed(TINY, 5)
    s.mkdir("a").mkdir("b").mkdir("c").scan("", 3, inside=[15, FS_ROOT_BASE] + fs_path("dd"))
    seeds["scan-stale"] = s.simple(31).out
    s = FsSeed(TINY, 2)
    s.open(0, "a", 3)
    for _ in range(12):
        s.write(0, 120, "end")
    seeds["full-tiny"] = s.simple(31, 30).out
    return seeds


# ---- fsimage (crafted file system keys; fuzz_fsimage.c) --------------------------------------

def fsi_id(k):
    """craft_id's bytes for id k: 1..8 in one byte, 0, or any (u32)."""
    if k == 0:
        return [1]
    if 1 <= k <= 8:
        return [k - 1 if k >= 3 else k + 7]
    return [0] + list(k.to_bytes(4, "little"))


def fsi_count(n, right):
    """craft_count's bytes: the right figure, or any (u32)."""
    return [4] if n == right else [0] + list(n.to_bytes(4, "little"))


def fsi_file(ino, blocks, short_by, ids, trash=(), size=None, deleted=False, bb=64):
    """Kind 0: a file's record, `blocks` * bb - short_by bytes (or `size`), its table `ids`."""
    right = blocks * bb - short_by if blocks else 0
    out = [0] + fsi_id(ino) + [blocks] + (below(short_by, bb) if blocks else [])
    out += fsi_count(right if size is None else size, right) + fsi_count(len(ids), blocks)
    out += [1] + ([8, 1] if deleted else [1])
    for i in ids:
        out += fsi_id(i)
    out += fsi_count(len(trash), 0)
    for i in trash:
        out += fsi_id(i)
    return out


def fsi_dir(ino, parent):
    """Kind 2: a directory's record (parent == ino: itself)."""
    return [2] + fsi_id(ino) + ([2] if parent == ino else [4] + fsi_id(parent))


FSI_NAMES = {"a": 0, "b": 1, "dd": 2, ".": 10, "..": 11, "a/b": 12, "x\\0y": 13, "": 14,
             "longest": 15}


def fsi_entry(parent, name, kind, ino=None, target_len=None):
    """Kind 3: entry `name` under `parent`: "file" or "dir" with an inode id, "link" with a
    target of target_len bytes, or a type byte (an int) with an id."""
    out = [3] + fsi_id(parent) + [FSI_NAMES[name]]
    if kind == "link":
        return out + [2, target_len - 1] + [i % 4 for i in range(target_len)]
    if isinstance(kind, int):
        return out + [0, kind] + fsi_id(ino)
    return out + [{"file": 3, "dir": 4}[kind]] + fsi_id(ino)


def fsi_block(block, length, bb=64):
    return [5] + fsi_id(block) + below(length, bb + 9) + [COUNTING]


def fsimage_seeds():
    def image(records, geometry=TINY, pages=5, read_only_first=True):
        return map_header(geometry, pages, ALL_CACHES) + [1 if read_only_first else 0] + records

    tree = (fsi_dir(2, 1) + fsi_entry(1, "a", "dir", 2) + fsi_file(3, 2, 28, [1, 2]) +
            fsi_entry(2, "b", "file", 3) + fsi_block(1, 64) + fsi_block(2, 36) +
            fsi_entry(1, "dd", "link", target_len=5))
    return {
        "tree": image(tree),
        "tree-samd21": image(tree, SAMD21, 4, False),
        "dir-own-parent": image(fsi_dir(2, 2) + fsi_entry(1, "a", "dir", 2) +
                                fsi_entry(2, "a", "dir", 2)),
        "dir-loop": image(fsi_dir(2, 3) + fsi_dir(3, 2) + fsi_entry(1, "a", "dir", 2) +
                          fsi_entry(2, "b", "dir", 3) + fsi_entry(3, "a", "dir", 2)),
        "root-entry": image(fsi_entry(1, "a", "dir", 1) + fsi_entry(1, "b", "file", 1)),
        "blocks-repeated": image(fsi_file(3, 3, 0, [1, 1, 1]) + fsi_entry(1, "a", "file", 3) +
                                 fsi_block(1, 64)),
        "size-past-blocks": image(fsi_file(3, 1, 0, [1], size=0xFFFFFFF0) +
                                  fsi_entry(1, "a", "file", 3) + fsi_block(1, 64)),
        "count-past-record": image(fsi_file(3, 2, 0, [1]) + fsi_entry(1, "a", "file", 3)),
        "block-too-long": image(fsi_file(3, 1, 0, [1]) + fsi_entry(1, "a", "file", 3) +
                                fsi_block(1, 72)),
        "bad-types-and-names": image(fsi_entry(1, "a", 7, 2) + fsi_entry(1, "a/b", "file", 3) +
                                     fsi_entry(1, "x\\0y", "dir", 2) + fsi_entry(1, "..", "dir", 2)
                                     + fsi_entry(1, "longest", "link", target_len=3) +
                                     fsi_file(3, 0, 0, []) + fsi_dir(2, 1)),
        "deleted-with-trash": image(fsi_file(3, 1, 10, [1], trash=[2, 7], deleted=True) +
                                    fsi_entry(1, "a", "file", 3) + fsi_block(1, 54) +
                                    fsi_block(2, 64) + fsi_block(8, 64), read_only_first=True),
        "entry-to-missing-inode": image(fsi_entry(1, "a", "file", 6) + fsi_entry(1, "b", "dir", 7)),
        "file-as-parent": image(fsi_file(3, 0, 0, []) + fsi_entry(1, "a", "file", 3) +
                                fsi_entry(3, "b", "dir", 2) + fsi_dir(2, 3)),
    }


# ---- scenario and image -----------------------------------------------------------------

SCENARIO_SEEDS = [
    "suite/map-store-fetch.json", "suite/map-errors.json", "suite/map-remove.json",
    "suite/map-full.json", "suite/map-max-value-tiny.json", "suite/map-cache-keys.json",
    "suite/map-erase-value-zero.json", "suite/queue-push-pop.json", "suite/queue-errors.json",
    "suite/queue-full.json", "suite/queue-drop-oldest.json", "suite/power-off-errors.json",
    "suite/torn-program-metastable.json", "suite/torn-erase-weak.json", "suite/torn-queue.json",
    "suite/fault-flip-bits.json", "suite/fault-corrupt-range.json", "suite/reboot-loop.json",
    "suite/time-and-sleep.json", "suite/preset-stm32h7-2m.json", "suite/lifetime-config-minute.json",
    "examples/power-cut.json", "suite/raw-ops-tiny.json", "suite/raw-write-count-nrf52840.json",
    "suite/raw-write-once-stm32l4.json", "powercut/raw-beside-map-tiny.json",
    "suite/kv-domains.json", "suite/kv-errors.json", "powercut/kv-domains-tiny.json",
    "suite/map-txn.json", "powercut/map-txn-tiny.json", "powercut/kv-txn-tiny.json",
    "suite/kvmap-steps.json", "suite/kvmap-write-back.json", "powercut/kvmap-write-back-tiny.json",
]


def write_seeds(target, seeds):
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("seed-*"):
        old.unlink()
    for name, data in seeds.items():
        (folder / f"seed-{name}").write_bytes(bytes(b & 0xFF for b in data))


def write_scenario_seeds():
    folder = CORPUS / "scenario"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("seed-*"):
        old.unlink()
    for rel in SCENARIO_SEEDS:
        shutil.copyfile(ROOT / "scenarios" / rel, folder / f"seed-{pathlib.Path(rel).name}")


def write_image_seeds(build):
    folder = CORPUS / "image"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("seed-*"):
        old.unlink()
    for target in ("map", "queue"):
        replay = pathlib.Path(build) / "fuzz" / f"fuzz_{target}_replay"
        for seed in sorted((CORPUS / target).glob("seed-*")):
            out = folder / f"seed-{target}-{seed.name[5:]}"
            env = dict(os.environ)
            if any(part in seed.name for part in ("basics", "gc-churn", "fill-drop", "cut-prog4", "txn-")):
                env["NORBENCH_FUZZ_SAVE_IMAGE"] = str(out)
            # The flash as a cut left it, before the recovery: unsealed items, torn pages, GC
            # rounds and recovery copies cut short (format-specific states an end image lacks).
            if "cut" in seed.name:
                env["NORBENCH_FUZZ_SAVE_CUT_IMAGE"] = str(out) + "-at-cut"
            if len(env) > len(os.environ):
                subprocess.run([str(replay), str(seed)], env=env, check=True,
                               stderr=subprocess.DEVNULL)


def main():
    write_seeds("map", map_seeds())
    write_seeds("kv", kv_seeds())
    write_seeds("raw", raw_seeds())
    write_seeds("queue", queue_seeds())
    write_seeds("nor", nor_seeds())
    write_seeds("kvmap", kvmap_seeds())
    write_seeds("tdb", tdb_seeds())
    write_seeds("fs", fs_seeds())
    write_seeds("fsimage", fsimage_seeds())
    write_scenario_seeds()
    if len(sys.argv) > 1:
        write_image_seeds(sys.argv[1])


if __name__ == "__main__":
    main()
